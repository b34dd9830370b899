package dev.duplex.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code duplex} command: {@code serve} and {@code connect}. */
@Command(name = "duplex",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A WebSocket server and client (RFC 6455).",
        subcommands = {Serve.class, Connect.class, ConformanceClient.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command and returns its exit code. */
    static int run(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"duplex " + (v == null ? "(development build)" : v)};
        }
    }
}
