package dev.duplex.protocol;

import dev.duplex.Limits;
import dev.duplex.protocol.deflate.PerMessageDeflate;
import org.assertj.core.api.ListAssert;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh {@link Rfc6455Protocol} fed in one {@link Feeding} way, with its events and output drained into lists.
 * Every assertion made through it names the role and the feeding (and so the seed), so a failure says which way
 * of feeding broke.
 */
public final class Endpoint {

    /** The masking key of RFC 6455 §5.7's masked examples. */
    public static final int RFC_KEY = 0x37fa213d;

    /** The key {@link #feedFromPeer} masks a client's frames with; any key will do. */
    public static final int PEER_KEY = 0x0badcafe;

    /** How {@link #output()} shows {@link Protocol#END_OF_STREAM}. */
    public static final String END_OF_STREAM = "END_OF_STREAM";

    private final Role role;
    private final Feeding way;
    private final Rfc6455Protocol protocol;

    private Endpoint(Role role, Feeding way, Limits limits, RandomGenerator maskKeys, PerMessageDeflate deflate) {
        this.role = role;
        this.way = way;
        this.protocol = new Rfc6455Protocol(role, limits, maskKeys, deflate);
    }

    private Endpoint(Role role, Feeding way, Limits limits, RandomGenerator maskKeys) {
        this(role, way, limits, maskKeys, null);
    }

    /** An endpoint that negotiated permessage-deflate. */
    public static Endpoint withDeflate(Role role, Feeding way, Limits limits, PerMessageDeflate deflate) {
        return new Endpoint(role, way, limits, maskKeys(RFC_KEY), deflate);
    }

    public static Endpoint client(Feeding way) {
        return new Endpoint(Role.CLIENT, way, Limits.DEFAULT, maskKeys(RFC_KEY));
    }

    public static Endpoint server(Feeding way) {
        return new Endpoint(Role.SERVER, way, Limits.DEFAULT, maskKeys(RFC_KEY));
    }

    public static Endpoint of(Role role, Feeding way, Limits limits) {
        return new Endpoint(role, way, limits, maskKeys(RFC_KEY));
    }

    public static Endpoint of(Role role, Feeding way, Limits limits, RandomGenerator maskKeys) {
        return new Endpoint(role, way, limits, maskKeys);
    }

    /** A generator that hands out these keys in turn, cycling, through whichever method the protocol calls. */
    public static RandomGenerator maskKeys(int... keys) {
        return new RandomGenerator() {
            private int next;

            @Override
            public int nextInt() {
                return keys[next++ % keys.length];
            }

            @Override
            public long nextLong() {
                int key = nextInt();
                return (long) key << 32 | (key & 0xFFFFFFFFL);
            }
        };
    }

    public Rfc6455Protocol protocol() {
        return protocol;
    }

    public Role role() {
        return role;
    }

    public Feeding way() {
        return way;
    }

    /**
     * Feeds frames written unmasked, as a server sends them; when this endpoint is a server, each frame is masked
     * first (as a client must), so one hex literal tests both roles. The last frame may be cut short.
     */
    public Endpoint feedFromPeer(String unmaskedHex) {
        byte[] frames = Bytes.hex(unmaskedHex);
        if (role == Role.CLIENT) {
            return feed(frames);
        }
        List<byte[]> masked = new ArrayList<>();
        for (byte[] frame : Frames.split(frames)) {
            masked.add(Frames.mask(frame, PEER_KEY));
        }
        return feed(Bytes.concat(masked.toArray(byte[][]::new)));
    }

    /** What this endpoint sends for a frame written unmasked: masked with {@link #RFC_KEY} when it is a client. */
    public String sent(String unmaskedHex) {
        byte[] frame = Bytes.hex(unmaskedHex);
        return Bytes.hex(role == Role.CLIENT ? Frames.mask(frame, RFC_KEY) : frame);
    }

    /** Asserts the drained output is exactly these frames (any hex spacing) and markers, in order. */
    public void assertOutputIs(String... frames) {
        List<String> expected = new ArrayList<>();
        for (String f : frames) {
            expected.add(f.equals(END_OF_STREAM) ? f : Bytes.normalize(f));
        }
        assertThat(output()).as(toString()).containsExactlyElementsOf(expected);
    }

    public Endpoint feed(String hex) {
        return feed(Bytes.hex(hex));
    }

    public Endpoint feed(byte[] bytes) {
        way.feed(protocol, bytes);
        return this;
    }

    /** Drains the events reported so far. */
    public List<Event> events() {
        List<Event> events = new ArrayList<>();
        for (Event e; (e = protocol.nextEvent()) != null; ) {
            events.add(e);
        }
        return events;
    }

    /**
     * Drains the output: each frame as hex, and {@link #END_OF_STREAM} where the protocol asked for a half-close.
     * Bytes are re-cut at frame boundaries, so how the protocol happens to group them into buffers does not matter.
     */
    public List<String> output() {
        List<String> out = new ArrayList<>();
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (ByteBuffer b; (b = protocol.nextOutput()) != null; ) {
            if (b == Protocol.END_OF_STREAM) {
                Frames.split(run.toByteArray()).forEach(f -> out.add(Bytes.hex(f)));
                run.reset();
                out.add(END_OF_STREAM);
            } else {
                run.writeBytes(Bytes.of(b));
            }
        }
        Frames.split(run.toByteArray()).forEach(f -> out.add(Bytes.hex(f)));
        return out;
    }

    /** Drains the output as one byte array; fails if it holds an end of stream. */
    public byte[] outputBytes() {
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        for (ByteBuffer b; (b = protocol.nextOutput()) != null; ) {
            assertThat(b).as("%s: unexpected END_OF_STREAM", this).isNotSameAs(Protocol.END_OF_STREAM);
            run.writeBytes(Bytes.of(b));
        }
        return run.toByteArray();
    }

    public ListAssert<Event> assertEvents() {
        return assertThat(events()).as(toString());
    }

    /** Asserts the drained output; expected frames may be written with any spacing. */
    public ListAssert<String> assertOutput() {
        return assertThat(output()).as(toString());
    }

    @Override
    public String toString() {
        return role.name().toLowerCase() + " fed " + way;
    }
}
