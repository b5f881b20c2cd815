package org.kaiku.engine.bytestreams;

import java.util.concurrent.CompletionStage;

/**
 * The network side of the XEP-0065 proxy as the engine needs it: the address clients are told
 * (section 4, the {@code <streamhost/>}) and the activation of section 6.3.7. Implemented by
 * deploy/ over the relay's SOCKS5 listener, so that the engine does not depend on the relay.
 */
public interface BytestreamsProxy {
    /** What came of an activation; {@link ProxyService} maps each to its IQ answer. */
    enum Outcome {
        /** Bytes flow: result. */
        ACTIVATED,
        /** No stream with that hash: not-authorized ("the hashes do not match"). */
        UNKNOWN,
        /** The sender is not the stream's requester: item-not-found. */
        NOT_REQUESTER,
        /** Only one party connected (or already activated): not-allowed. */
        NOT_READY,
        /** The requester's active streams are at the limit: resource-constraint. */
        LIMIT
    }

    /** Host (address or DNS name) of the SOCKS5 listener as clients should reach it. */
    String host();

    int port();

    /**
     * Activates the stream {@code SHA1(sid + requester + target)}; {@code requester} is the full
     * JID the server stamped on the request, {@code target} the text of {@code <activate/>}.
     */
    CompletionStage<Outcome> activate(String sid, String requester, String target);
}
