package org.kaiku.engine.c2s;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.kaiku.engine.c2s.TlsFraming.Incoming;
import org.kaiku.engine.c2s.TlsFraming.Outgoing;
import org.kaiku.engine.session.SessionMessage;

/**
 * Wires a {@link C2sSession} to a WebSocket connection (RFC 7395): the same session actor, send
 * queue and ack channel as a TCP connection, with WebSocket messages in place of bytes.
 *
 * <p>Inbound, a text message reaches the session as its text in UTF-8 chunks (as pekko-http
 * delivers a fragmented or large message: nothing buffers a whole message, so the stanza size
 * limit cuts a giant one while it arrives) followed by a {@link TlsFraming.MessageEnd}; a binary
 * message is drained and reported as one, for the session to refuse. Each piece is acknowledged
 * by the session once handled, so a client cannot outrun it. Outbound, every write of the session
 * is one text message (each is one complete element, see {@link C2sFraming}); completing the send
 * queue after the framing {@code <close/>} makes pekko-http send the WebSocket Close frame.
 */
final class WebSocketFlow {
    private static final Incoming TEXT_END = new TlsFraming.MessageEnd(true);
    private static final Incoming BINARY_END = new TlsFraming.MessageEnd(false);

    private WebSocketFlow() {
    }

    static Flow<Message, Message, NotUsed> create(C2sContext shared, ActorRef<SessionMessage> session) {
        Sink<Message, NotUsed> in = Flow.<Message>create()
                .flatMapConcat(WebSocketFlow::incoming)
                .to(C2sListener.sessionSink(session));
        Source<Message, Pair<ActorRef<Outgoing>, ActorRef<Long>>> out = C2sListener.sendQueue(shared)
                .mergeMat(C2sListener.acks(), Keep.both(), true)
                .filter(o -> o instanceof TlsFraming.Data)
                .map(o -> (Message) TextMessage.create(((TlsFraming.Data) o).bytes().utf8String()));
        return Flow.fromSinkAndSourceMat(in, out, Keep.right())
                .mapMaterializedValue(refs -> {
                    session.tell(new C2sSession.Attached(refs.first(), refs.second()));
                    return NotUsed.getInstance();
                });
    }

    private static Source<Incoming, NotUsed> incoming(Message m) {
        if (m.isText()) {
            TextMessage text = m.asTextMessage();
            if (text.isStrict()) {
                return Source.from(List.of(received(text.getStrictText()), TEXT_END));
            }
            return text.getStreamedText().map(WebSocketFlow::received).concat(Source.single(TEXT_END))
                    .mapMaterializedValue(x -> NotUsed.getInstance());
        }
        BinaryMessage binary = m.asBinaryMessage();
        if (binary.isStrict()) {
            return Source.single(BINARY_END);
        }
        return binary.getStreamedData().filter(b -> false).map(b -> BINARY_END).concat(Source.single(BINARY_END))
                .mapMaterializedValue(x -> NotUsed.getInstance());
    }

    private static Incoming received(String text) {
        return new TlsFraming.Received(ByteString.fromString(text, StandardCharsets.UTF_8));
    }
}
