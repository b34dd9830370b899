package dev.duplex.bench.servers;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import org.xnio.Options;
import org.xnio.Pooled;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Undertow's echo server, as in Undertow's WebSocket example: a receive listener that sends each message back. */
public final class UndertowEcho {

    public static void main(String[] args) throws Exception {
        Launch launch = Launch.parse(args);
        Undertow server = Undertow.builder()
                .addHttpListener(launch.port(), launch.host())
                .setSocketOption(Options.TCP_NODELAY, true)
                .setServerOption(UndertowOptions.ENABLE_STATISTICS, false)
                .setHandler(Handlers.websocket((exchange, channel) -> {
                    channel.getReceiveSetter().set(new Echo());
                    channel.resumeReceives();
                }))
                .build();
        server.start();
        try {
            int port = ((InetSocketAddress) server.getListenerInfo().getFirst().getAddress()).getPort();
            Launch.serveUntilStdinEnds(port);
        } finally {
            server.stop();
        }
    }

    private static final class Echo extends AbstractReceiveListener {

        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            WebSockets.sendText(message.getData(), channel, null);
        }

        @Override
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            Pooled<ByteBuffer[]> data = message.getData();
            WebSockets.sendBinary(data.getResource(), channel, new WebSocketCallback<Void>() {
                @Override
                public void complete(WebSocketChannel ch, Void context) {
                    data.free();
                }

                @Override
                public void onError(WebSocketChannel ch, Void context, Throwable throwable) {
                    data.free();
                }
            });
        }

        @Override
        protected long getMaxTextBufferSize() {
            return Launch.MAX_MESSAGE;
        }

        @Override
        protected long getMaxBinaryBufferSize() {
            return Launch.MAX_MESSAGE;
        }
    }
}
