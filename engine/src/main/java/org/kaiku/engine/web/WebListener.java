package org.kaiku.engine.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
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
import org.kaiku.protocol.bosh.BoshBody;
import org.kaiku.protocol.stream.XmlStreamException;
import org.kaiku.protocol.websocket.WebSocketFraming;
import org.kaiku.protocol.xml.DecoderLimits;
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
 *   <li>{@code /http-bind}: XMPP over BOSH (XEP-0124, XEP-0206), each session a c2s session
 *       behind a {@code BoshSession} (see there for what is kept and for how long). Bodies are
 *       parsed with the c2s limits (two of the largest stanzas per body); CORS headers let web
 *       clients of other origins post. pekko-http's request and idle timeouts are raised above the
 *       longest 'wait' (60 s) so that a held request is answered by BOSH, not cut by HTTP.</li>
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

    /** How long a BOSH request may wait for its answer: the longest 'wait' and then some. */
    private static final Duration BOSH_ASK = Duration.ofSeconds(90);
    private static final List<HttpHeader> BOSH_CORS = List.of(
            RawHeader.create("Access-Control-Allow-Origin", "*"),
            RawHeader.create("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            RawHeader.create("Access-Control-Allow-Headers", "Content-Type"),
            RawHeader.create("Access-Control-Max-Age", "86400"));

    private final ServerBinding binding;
    private final URI base;

    private WebListener(ServerBinding binding, URI base) {
        this.binding = binding;
        this.base = base;
    }

    public static CompletionStage<WebListener> start(ActorSystem<?> system, WebSettings settings, TlsMaterial tls,
                                                     DecoderLimits limits, ActorRef<C2sListener.Command> c2s) {
        if (!settings.enabled()) {
            return CompletableFuture.completedFuture(new WebListener(null, null));
        }
        ServerSettings server = ServerSettings.create(system.classicSystem()).withRemoteAddressAttribute(true);
        // a BOSH request is held up to its 'wait': neither timeout may cut it first
        server = server.withTimeouts(server.getTimeouts()
                .withRequestTimeout(scala.concurrent.duration.Duration.create(BOSH_ASK.toSeconds(), TimeUnit.SECONDS))
                .withIdleTimeout(scala.concurrent.duration.Duration.create(BOSH_ASK.toSeconds() + 30, TimeUnit.SECONDS)));
        server = server.withWebsocketSettings(server.getWebsocketSettings().withPeriodicKeepAliveMaxIdle(settings.pingEvery()));
        ServerBuilder builder = Http.get(system).newServerAt(settings.bindHost(), settings.port()).withSettings(server);
        if (settings.tls()) {
            builder = builder.enableHttps(ConnectionContext.httpsServer(tls.jdkServerContext()));
        }
        Routes routes = new Routes(system, c2s, limits);
        CompletableFuture<URI> baseHolder = new CompletableFuture<>();
        return builder.bind(routes.all(baseHolder)).handle((binding, err) -> {
            if (err != null) {
                throw new SettingsException("kaiku.http.port", "cannot listen on " + settings.bindHost() + ":" + settings.port() + ": "
                        + err.getMessage(), err);
            }
            URI base = settings.baseUrl(((InetSocketAddress) binding.localAddress()).getPort());
            baseHolder.complete(base);
            LOG.info("XMPP over WebSocket at {}, over BOSH at {}", WebSettings.websocketUrl(base), WebSettings.boshUrl(base));
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

        private final DecoderLimits boshLimits;

        Routes(ActorSystem<?> system, ActorRef<C2sListener.Command> c2s, DecoderLimits limits) {
            this.system = system;
            this.c2s = c2s;
            // one body may carry several stanzas: as much as two of the largest, plus the wrapper
            int bytes = (int) Math.min(Integer.MAX_VALUE / 2, 2L * limits.maxStanzaBytes() + 4096);
            this.boshLimits = new DecoderLimits(bytes, limits.maxDepth() + 1, limits.maxAttributes(), limits.maxTextLength());
        }

        Route all(CompletableFuture<URI> base) {
            return concat(
                    path(WebSettings.WEBSOCKET_PATH, () -> extractWebSocketUpgrade(this::webSocket)),
                    path(WebSettings.BOSH_PATH, () -> respondWithHeaders(BOSH_CORS, () -> concat(
                            post(() -> extractStrictEntity(Duration.ofSeconds(30), boshLimits.maxStanzaBytes(), this::bosh)),
                            options(() -> complete(StatusCodes.OK)),
                            get(() -> complete("XMPP over BOSH (XEP-0206): POST a <body/> here"))))),
                    pathPrefix(".well-known", () -> respondWithHeader(RawHeader.create("Access-Control-Allow-Origin", "*"), () -> concat(
                            path("host-meta", () -> get(() -> complete(HttpEntities.create(XRD, HostMeta.xrd(links(base)))))),
                            path("host-meta.json", () -> get(() -> complete(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                                    HostMeta.jrd(links(base))))))))));
        }

        private static List<HostMeta.Link> links(CompletableFuture<URI> base) {
            return List.of(new HostMeta.Link(HostMeta.WEBSOCKET, WebSettings.websocketUrl(base.join())),
                    new HostMeta.Link(HostMeta.XBOSH, WebSettings.boshUrl(base.join())));
        }

        private Route bosh(HttpEntity.Strict entity) {
            BoshBody body;
            try {
                body = BoshBody.parse(entity.getData().toArray(), boshLimits);
            } catch (XmlStreamException e) {
                return complete(HttpEntities.create(ContentTypes.TEXT_XML_UTF8, C2sListener.boshTerminal("bad-request")));
            }
            return extractRequest(request -> {
                CompletionStage<String> answer = AskPattern.ask(c2s,
                        replyTo -> new C2sListener.BoshRequest(body, remote(request), replyTo), BOSH_ASK, system.scheduler());
                // no answer in time: the session ended between its routing and its handling
                return onComplete(answer, t -> complete(HttpEntities.create(ContentTypes.TEXT_XML_UTF8,
                        t.isSuccess() ? t.get() : C2sListener.boshTerminal("item-not-found"))));
            });
        }

        private static InetAddress remote(HttpRequest request) {
            return request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress)
                    .orElse(InetAddress.getLoopbackAddress());
        }

        private Route webSocket(WebSocketUpgrade upgrade) {
            boolean xmpp = StreamSupport.stream(upgrade.getRequestedProtocols().spliterator(), false)
                    .anyMatch(WebSocketFraming.SUBPROTOCOL::equals);
            if (!xmpp) {
                return complete(StatusCodes.BAD_REQUEST, "the WebSocket subprotocol 'xmpp' is required (RFC 7395 section 3.1)");
            }
            return extractRequest(request -> {
                InetAddress remote = remote(request);
                CompletionStage<Flow<Message, Message, NotUsed>> flow = AskPattern.ask(c2s,
                        replyTo -> new C2sListener.AcceptWebSocket(remote, replyTo), Duration.ofSeconds(10), system.scheduler());
                return onSuccess(flow, f -> complete(upgrade.handleMessagesWith(f, WebSocketFraming.SUBPROTOCOL)));
            });
        }
    }
}
