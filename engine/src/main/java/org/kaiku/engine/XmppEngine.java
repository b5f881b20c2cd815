package org.kaiku.engine;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.kaiku.engine.auth.AccountService;
import org.kaiku.engine.auth.CredentialStore;
import org.kaiku.engine.bytestreams.BytestreamsProxy;
import org.kaiku.engine.bytestreams.ProxyService;
import org.kaiku.engine.bytestreams.ProxySettings;
import org.kaiku.engine.c2s.C2sContext;
import org.kaiku.engine.component.ComponentDirectory;
import org.kaiku.engine.component.ComponentService;
import org.kaiku.engine.component.ComponentSettings;
import org.kaiku.engine.upload.UploadFeature;
import org.kaiku.engine.upload.UploadSettings;
import org.kaiku.engine.c2s.C2sListener;
import org.kaiku.engine.config.EngineSettings;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.features.mam.MamModule;
import org.kaiku.engine.features.mam.MessageArchiver;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.routing.Router;
import org.kaiku.engine.routing.ServerStanzaHandler;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.tls.TlsMaterial;
import org.kaiku.engine.user.SessionRegistry;
import org.kaiku.engine.user.UserEntity;
import org.kaiku.engine.web.WebListener;
import org.kaiku.engine.web.WebSettings;

/**
 * The XMPP engine of one node: the feature modules, the account entities (Cluster Sharding) and
 * the c2s listeners (RFC 6120 STARTTLS port and XEP-0368 direct TLS port). The actor system
 * (cluster membership, persistence plugin) is made by the caller, deploy/.
 */
public final class XmppEngine {
    public static final String SERVER_NAME = "Kaiku";

    private final ActorSystem<?> system;
    private final ActorRef<C2sListener.Command> listener;
    private final Tcp.ServerBinding c2s;
    private final Tcp.ServerBinding c2sTls;
    private final AccountService accounts;
    private final ModuleRegistry modules;
    private final C2sContext shared;
    private ComponentService components;
    private UploadFeature upload;
    private WebListener web;

    private XmppEngine(ActorSystem<?> system, ActorRef<C2sListener.Command> listener, Tcp.ServerBinding c2s,
                       Tcp.ServerBinding c2sTls, AccountService accounts, ModuleRegistry modules, C2sContext shared) {
        this.shared = shared;
        this.system = system;
        this.listener = listener;
        this.c2s = c2s;
        this.c2sTls = c2sTls;
        this.accounts = accounts;
        this.modules = modules;
    }

    public static String version() {
        String v = XmppEngine.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    public static CompletionStage<XmppEngine> start(ActorSystem<?> system, EngineSettings settings, Stores stores) {
        return start(system, settings, stores, null);
    }

    /**
     * Starts the engine; {@code bytestreams} is the network side of the XEP-0065 proxy (the
     * relay's SOCKS5 listener), served at {@code kaiku.bytestreams.domain} when
     * {@code kaiku.bytestreams.enabled} is on (then it must not be null).
     */
    public static CompletionStage<XmppEngine> start(ActorSystem<?> system, EngineSettings settings, Stores stores,
                                                    BytestreamsProxy bytestreams) {
        CredentialStore credentials = stores.credentials();
        TlsMaterial tls;
        ModuleRegistry modules;
        byte[] secret;
        ComponentSettings componentSettings;
        UploadSettings uploadSettings;
        WebSettings webSettings;
        org.kaiku.engine.muc.MucSettings mucSettings;
        ProxySettings proxySettings;
        org.kaiku.engine.pubsub.PubsubSettings pubsubSettings;
        byte[] uploadSecret;
        try {
            componentSettings = ComponentSettings.fromConfig(system.settings().config(), settings.domain());
            uploadSettings = UploadSettings.fromConfig(system.settings().config(), settings.domain(), settings.dataDir());
            webSettings = WebSettings.fromConfig(system.settings().config());
            if (componentSettings.secrets().containsKey(uploadSettings.domain())) {
                throw new SettingsException("kaiku.upload.domain", uploadSettings.domain() + " is also configured as a component");
            }
            mucSettings = org.kaiku.engine.muc.MucSettings.fromConfig(system.settings().config(), settings.domain());
            if (componentSettings.secrets().containsKey(mucSettings.domain()) || mucSettings.domain().equals(uploadSettings.domain())) {
                throw new SettingsException("kaiku.muc.domain", mucSettings.domain() + " is also configured as a component or the upload service");
            }
            proxySettings = ProxySettings.fromConfig(system.settings().config(), settings.domain());
            if (proxySettings.enabled()) {
                if (bytestreams == null) {
                    throw new SettingsException("kaiku.bytestreams.enabled", "is on but no SOCKS5 proxy runs (kaiku.relay.socks5)");
                }
                if (componentSettings.secrets().containsKey(proxySettings.domain()) || proxySettings.domain().equals(uploadSettings.domain())
                        || proxySettings.domain().equals(mucSettings.domain())) {
                    throw new SettingsException("kaiku.bytestreams.domain", proxySettings.domain()
                            + " is also configured as a component, the upload or the MUC service");
                }
            }
            pubsubSettings = org.kaiku.engine.pubsub.PubsubSettings.fromConfig(system.settings().config(), settings.domain());
            if (pubsubSettings.enabled() && (componentSettings.secrets().containsKey(pubsubSettings.domain())
                    || pubsubSettings.domain().equals(uploadSettings.domain())
                    || mucSettings.enabled() && pubsubSettings.domain().equals(mucSettings.domain()))) {
                throw new SettingsException("kaiku.pubsub.domain", pubsubSettings.domain()
                        + " is also configured as a component, the upload or the MUC service");
            }
            uploadSecret = NodeSecret.load(settings.dataDir().resolve("upload.secret"), "kaiku.data-dir");
            secret = NodeSecret.load(settings.dataDir().resolve("sasl.secret"), "kaiku.data-dir");
            tls = TlsMaterial.load(settings);
            modules = ModuleRegistry.load(settings.domain(), SERVER_NAME, version(), stores, system.settings().config());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        AtomicReference<Router> routerRef = new AtomicReference<>();
        ServerStanzaHandler serverHandler = new ServerStanzaHandler(modules, s -> routerRef.get().route(s));
        ComponentDirectory directory = ComponentDirectory.start(system, componentSettings.secrets().keySet());
        Router router = new Router(system, settings.domain(), serverHandler, directory);
        routerRef.set(router);
        org.kaiku.engine.features.caps.CapsCache caps = org.kaiku.engine.features.caps.CapsCache.start(system, settings.domain(), router::route);
        serverHandler.answersTo(caps::onResponse);
        org.kaiku.engine.muc.MucService.start(system, mucSettings, directory, router, modules.module(MamModule.class)
                .map(mam -> new org.kaiku.engine.muc.RoomArchive(stores.archive(), mam)).orElse(null));
        if (proxySettings.enabled()) {
            directory.serveLocally(proxySettings.domain(), new ProxyService(proxySettings, settings.domain(), bytestreams, router::route));
        }
        org.kaiku.engine.pubsub.PubsubService.start(system, pubsubSettings, settings.domain(), directory, router);
        MessageArchiver archiver = modules.module(MamModule.class).map(MamModule::archiver).orElse(null);
        UserEntity.init(system, router, stores.offline(), settings.offlineQuota(), archiver, stores.accountData(), stores.health(),
                credentials);
        modules.accountSignals().bind((account, key) -> router.user(account).tell(new UserEntity.AccountDataChanged(key)));
        modules.accountSignals().bindEraser(new org.kaiku.engine.auth.AccountEraser() {
            @Override
            public CompletionStage<Void> erase(org.kaiku.protocol.jid.Jid account, String resource, org.kaiku.protocol.xml.XmlElement notice) {
                return XmppEngine.erase(system, router, stores, account, resource, notice);
            }

            @Override
            public CompletionStage<Void> endSessions(org.kaiku.protocol.jid.Jid account, org.kaiku.protocol.stream.StreamError.Condition condition,
                                                     String text) {
                return AskPattern.<UserEntity.Command, org.apache.pekko.Done>ask(router.user(account),
                        reply -> new UserEntity.EndSessions(condition, text, reply), Duration.ofSeconds(30), system.scheduler())
                        .thenApply(done -> null);
            }
        });
        SessionRegistry sessions = SessionRegistry.start(system, router);
        modules.accountSignals().bindSessions(() -> onlineAccounts(system, sessions), router::route);
        C2sContext shared = new C2sContext(settings, tls, credentials, modules, router, secret, stores.health(),
                new java.util.concurrent.atomic.AtomicInteger(), sessions, caps);
        ActorRef<C2sListener.Command> listener = system.systemActorOf(C2sListener.create(shared), "c2s", Props.empty());
        Materializer mat = Materializer.matFromSystem(system);
        CompletionStage<Tcp.ServerBinding> plain = bind(system, mat, listener, settings.bindHost(), settings.c2sPort(), false, "kaiku.c2s.port");
        CompletionStage<Tcp.ServerBinding> direct = settings.c2sTlsPort() < 0
                ? CompletableFuture.completedFuture(null)
                : bind(system, mat, listener, settings.bindHost(), settings.c2sTlsPort(), true, "kaiku.c2s.tls-port");
        AccountService accounts = new AccountService(settings.domain(), credentials, settings.scramIterations(),
                modules.accountSignals());
        CompletionStage<ComponentService> components = ComponentService.start(system, componentSettings, directory, router,
                settings.limits());
        CompletionStage<UploadFeature> upload = UploadFeature.start(system, uploadSettings, settings.domain(), tls, uploadSecret,
                directory, router::route);
        CompletionStage<WebListener> web = WebListener.start(system, webSettings, tls, settings.limits(), listener);
        return plain.thenCombine(direct, (a, b) -> new XmppEngine(system, listener, a, b, accounts, modules, shared))
                .thenCombine(components, (engine, c) -> {
                    engine.components = c;
                    return engine;
                })
                .thenCombine(upload, (engine, u) -> {
                    engine.upload = u;
                    return engine;
                })
                .thenCombine(web, (engine, w) -> {
                    engine.web = w;
                    return engine;
                })
                .whenComplete((engine, err) -> {
                    if (err != null) {
                        // One listener may have bound while the other failed: release it.
                        plain.thenAccept(Tcp.ServerBinding::unbind);
                        direct.thenAccept(b -> {
                            if (b != null) {
                                b.unbind();
                            }
                        });
                        components.thenAccept(c -> c.stop(system));
                        upload.thenAccept(UploadFeature::stop);
                        web.thenAccept(WebListener::stop);
                    }
                });
    }

    /**
     * Erases an account (see {@link org.kaiku.engine.auth.AccountEraser}): its entity closes the
     * sessions, cancels the subscriptions and journals the erasure; then the offline queue, the
     * archive and the documents are purged, in parallel. The archive's retry buffer may still hold
     * a write for the account made just before; it would land after the purge (rare, and only
     * messages the account had received in its last seconds).
     */
    private static CompletionStage<Void> erase(ActorSystem<?> system, Router router, Stores stores, org.kaiku.protocol.jid.Jid account,
                                               String resource, org.kaiku.protocol.xml.XmlElement notice) {
        String bare = account.bare().toString();
        return AskPattern.<UserEntity.Command, UserEntity.Erased>ask(router.user(account),
                        reply -> new UserEntity.Erase(resource, notice, reply), Duration.ofSeconds(30), system.scheduler())
                .thenCompose(erased -> {
                    if (erased.problem() != null) {
                        return CompletableFuture.failedFuture(new IllegalStateException("cannot erase " + bare + ": " + erased.problem()));
                    }
                    return CompletableFuture.allOf(stores.offline().purge(bare).toCompletableFuture(),
                            stores.archive().purge(bare).toCompletableFuture(),
                            stores.accountData().purge(bare).toCompletableFuture());
                });
    }

    /**
     * The accounts with a session on any member (XEP-0133 online users): this node's own set,
     * and every other member's Distributed Data set as this node's replica has it (up to the
     * gossip interval, about 2 s, behind).
     */
    private static CompletionStage<java.util.Set<String>> onlineAccounts(ActorSystem<?> system, SessionRegistry sessions) {
        java.util.Set<String> all = java.util.concurrent.ConcurrentHashMap.newKeySet();
        all.addAll(sessions.localAccounts());
        long self = org.apache.pekko.cluster.Cluster.get(system).selfUniqueAddress().longUid();
        java.util.List<CompletableFuture<Void>> reads = new java.util.ArrayList<>();
        for (org.apache.pekko.cluster.Member m : org.apache.pekko.cluster.typed.Cluster.get(system).state().getMembers()) {
            long uid = m.uniqueAddress().longUid();
            if (uid != self) {
                reads.add(SessionRegistry.accountsOn(system, uid, Duration.ofSeconds(5)).thenAccept(all::addAll).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(x -> java.util.Set.copyOf(all));
    }

    private static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, Materializer mat,
                                                           ActorRef<C2sListener.Command> listener, String host, int port,
                                                           boolean directTls, String key) {
        return Tcp.get(system).bind(host, port)
                .to(Sink.foreach(conn -> listener.tell(new C2sListener.Accept(conn, directTls))))
                .run(mat)
                .handle((binding, err) -> {
                    if (err == null) {
                        return binding;
                    }
                    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                    String problem = cause instanceof BindException || String.valueOf(cause.getMessage()).contains("in use")
                            ? "port " + port + " on " + host + " is in use"
                            : "cannot listen on " + host + ":" + port + ": " + cause.getMessage();
                    throw new SettingsException(key, problem, cause);
                });
    }

    public int c2sPort() {
        return ((InetSocketAddress) c2s.localAddress()).getPort();
    }

    /** The direct TLS port, or -1 when that listener is off. */
    public int c2sTlsPort() {
        return c2sTls == null ? -1 : ((InetSocketAddress) c2sTls.localAddress()).getPort();
    }

    /** The HTTPS port of HTTP File Upload, or -1 when it is off. */
    public int uploadPort() {
        return upload.port();
    }

    /** The port of the web transports (XMPP over WebSocket, host-meta), or -1 when they are off. */
    public int httpPort() {
        return web.port();
    }

    /** The XEP-0114 component port, or -1 when no component is configured. */
    public int componentPort() {
        return components.port();
    }

    public AccountService accounts() {
        return accounts;
    }

    /** The clients' XEP-0115 strings this node knows (tests and the operator view). */
    public org.kaiku.engine.features.caps.CapsCache caps() {
        return shared.caps();
    }

    public ModuleRegistry modules() {
        return modules;
    }

    /** Client connections open on this node now (negotiating or established). */
    public int connections() {
        return shared.connections().get();
    }

    /**
     * Stops accepting, then closes every client stream with system-shutdown (RFC 6120 section
     * 4.9.3.19) and completes once the sessions have stopped (at most about 10 seconds).
     */
    public CompletionStage<Void> stop() {
        CompletionStage<?> unbound = c2s.unbind().thenCompose(x -> c2sTls == null
                ? CompletableFuture.completedFuture(null) : c2sTls.unbind()).thenCompose(x -> web.stop());
        return unbound.thenCompose(x -> AskPattern.<C2sListener.Command, Done>ask(listener, C2sListener.Shutdown::new,
                        Duration.ofSeconds(15), system.scheduler()))
                .handle((d, err) -> null)
                .thenCompose(x -> components.stop(system))
                .thenCompose(x -> upload.stop());
    }
}
