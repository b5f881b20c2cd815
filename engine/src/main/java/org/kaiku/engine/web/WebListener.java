package org.kaiku.engine.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.javadsl.Flow;
import org.kaiku.engine.c2s.C2sListener;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.tls.TlsMaterial;
import org.kaiku.protocol.websocket.WebSocketFraming;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP(S) listener of the web transports (pekko-http, the server's key and certificate):
 * <ul>
 *   <li>{@code /xmpp-websocket}: XMPP over WebSocket (RFC 7395). An upgrade must offer the
 *       {@code xmpp} subprotocol (section 3.1); one without it, or a plain GET, is answered 400
 *       and no session is made. Each accepted connection is a c2s session of
 *       {@link C2sListener}, counted, stopped and shut down with the TCP ones; a stream error
 *       ends that connection alone. Idle connections get a WebSocket ping every
 *       {@code kaiku.http.websocket-ping} (section 3.8: no whitespace keepalives).</li>
 *   <li>{@code /.well-known/host-meta} and {@code /.well-known/host-meta.json}: XEP-0156's
 *       discovery documents, with {@code Access-Control-Allow-Origin: *} (section 3.3) so that
 *       web clients served from another origin can read them.</li>
 * </ul>
 * The remote address a session sees (the XEP-0077 per-address limit counts by it) is the TCP
 * peer's, never a forwarding header a client could forge; behind a proxy it is the proxy's.
 */
public final class WebListener {
    private static final Logger LOG = LoggerFactory.getLogger(WebListener.class);
    private static final ContentType.NonBinary XRD = ContentTypes.create(MediaTypes.customWithFixedCharset("application", "xrd+xml",
            HttpCharsets.UTF_8, java.util.Map.of(), false));

    private final ServerBinding binding;
    private final URI base;

    private WebListener(ServerBinding binding, URI base) {
        this.binding = binding;
        this.base = base;
    }

    public static CompletionStage<WebListener> start(ActorSystem<?> system, WebSettings settings, TlsMaterial tls,
                                                     ActorRef<C2sListener.Command> c2s) {
        if (!settings.enabled()) {
            return CompletableFuture.completedFuture(new WebListener(null, null));
        }
        ServerSettings server = ServerSettings.create(system.classicSystem()).withRemoteAddressAttribute(true);
        server = server.withWebsocketSettings(server.getWebsocketSettings().withPeriodicKeepAliveMaxIdle(settings.pingEvery()));
        ServerBuilder builder = Http.get(system).newServerAt(settings.bindHost(), settings.port()).withSettings(server);
        if (settings.tls()) {
            builder = builder.enableHttps(ConnectionContext.httpsServer(tls.jdkServerContext()));
        }
        Routes routes = new Routes(system, c2s);
        CompletableFuture<URI> baseHolder = new CompletableFuture<>();
        return builder.bind(routes.all(baseHolder)).handle((binding, err) -> {
            if (err != null) {
                throw new SettingsException("kaiku.http.port", "cannot listen on " + settings.bindHost() + ":" + settings.port() + ": "
                        + err.getMessage(), err);
            }
            URI base = settings.baseUrl(((InetSocketAddress) binding.localAddress()).getPort());
            baseHolder.complete(base);
            LOG.info("XMPP over WebSocket at {}", WebSettings.websocketUrl(base));
            return new WebListener(binding, base);
        });
    }

    /** The bound port, or -1 when the web transports are off. */
    public int port() {
        return binding == null ? -1 : ((InetSocketAddress) binding.localAddress()).getPort();
    }

    /** The advertised base URL, or null when off. */
    public URI baseUrl() {
        return base;
    }

    public CompletionStage<Void> stop() {
        if (binding == null) {
            return CompletableFuture.completedFuture(null);
        }
        return binding.unbind().thenApply(d -> (Void) null).exceptionally(e -> null);
    }

    private static final class Routes extends AllDirectives {
        private final ActorSystem<?> system;
        private final ActorRef<C2sListener.Command> c2s;

        Routes(ActorSystem<?> system, ActorRef<C2sListener.Command> c2s) {
            this.system = system;
            this.c2s = c2s;
        }

        Route all(CompletableFuture<URI> base) {
            return concat(
                    path(WebSettings.WEBSOCKET_PATH, () -> extractWebSocketUpgrade(this::webSocket)),
                    pathPrefix(".well-known", () -> respondWithHeader(RawHeader.create("Access-Control-Allow-Origin", "*"), () -> concat(
                            path("host-meta", () -> get(() -> complete(HttpEntities.create(XRD, HostMeta.xrd(links(base)))))),
                            path("host-meta.json", () -> get(() -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                                    HostMeta.jrd(links(base))))))))));
        }

        private static List<HostMeta.Link> links(CompletableFuture<URI> base) {
            return List.of(new HostMeta.Link(HostMeta.WEBSOCKET, WebSettings.websocketUrl(base.join())));
        }

        private Route webSocket(WebSocketUpgrade upgrade) {
            boolean xmpp = StreamSupport.stream(upgrade.getRequestedProtocols().spliterator(), false)
                    .anyMatch(WebSocketFraming.SUBPROTOCOL::equals);
            if (!xmpp) {
                return complete(StatusCodes.BAD_REQUEST, "the WebSocket subprotocol 'xmpp' is required (RFC 7395 section 3.1)");
            }
            return extractRequest(request -> {
                InetAddress remote = request.getAttribute(AttributeKeys.remoteAddress)
                        .flatMap(RemoteAddress::getAddress).orElse(InetAddress.getLoopbackAddress());
                CompletionStage<Flow<Message, Message, NotUsed>> flow = AskPattern.ask(c2s,
                        replyTo -> new C2sListener.AcceptWebSocket(remote, replyTo), Duration.ofSeconds(10), system.scheduler());
                return onSuccess(flow, f -> complete(upgrade.handleMessagesWith(f, WebSocketFraming.SUBPROTOCOL)));
            });
        }
    }
}
