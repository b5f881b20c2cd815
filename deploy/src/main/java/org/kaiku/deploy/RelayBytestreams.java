package org.kaiku.deploy;

import java.util.concurrent.CompletionStage;
import org.kaiku.engine.bytestreams.BytestreamsProxy;
import org.kaiku.relay.socks5.Socks5Proxy;

/**
 * Joins the engine's XEP-0065 proxy service to the relay's SOCKS5 listener (the engine does not
 * depend on the relay): the announced host is {@code kaiku.relay.external-host} when set, else
 * the address the listener is bound to.
 */
final class RelayBytestreams implements BytestreamsProxy {
    private final Socks5Proxy proxy;
    private final String host;

    RelayBytestreams(Socks5Proxy proxy, String externalHost) {
        this.proxy = proxy;
        this.host = externalHost == null || externalHost.isEmpty() ? proxy.address().getAddress().getHostAddress() : externalHost;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return proxy.address().getPort();
    }

    @Override
    public CompletionStage<Outcome> activate(String sid, String requester, String target) {
        return proxy.activate(sid, requester, target).thenApply(a -> switch (a) {
            case ACTIVATED -> Outcome.ACTIVATED;
            case UNKNOWN -> Outcome.UNKNOWN;
            case NOT_REQUESTER -> Outcome.NOT_REQUESTER;
            case ONE_PARTY, ALREADY_ACTIVE -> Outcome.NOT_READY;
            case USER_LIMIT -> Outcome.LIMIT;
        });
    }
}
