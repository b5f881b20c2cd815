package org.kaiku.engine.upload;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.kaiku.engine.component.ComponentDirectory;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.tls.TlsMaterial;
import org.kaiku.protocol.xml.XmlElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP File Upload on one node: the HTTPS listener, the upload service routed at its domain on
 * this node, and the hourly sweep that deletes files older than {@code expire-after}. File I/O
 * (store, usage scans, sweep) runs on Pekko's blocking dispatcher.
 */
public final class UploadFeature {
    private static final Logger LOG = LoggerFactory.getLogger(UploadFeature.class);
    private final ServerBinding binding;
    private final Cancellable sweep;

    private UploadFeature(ServerBinding binding, Cancellable sweep) {
        this.binding = binding;
        this.sweep = sweep;
    }

    public static CompletionStage<UploadFeature> start(ActorSystem<?> system, UploadSettings settings, String serverDomain,
                                                       TlsMaterial tls, byte[] secret, ComponentDirectory routes,
                                                       Consumer<XmlElement> replies) {
        if (!settings.enabled()) {
            return CompletableFuture.completedFuture(new UploadFeature(null, null));
        }
        FileStore store;
        try {
            store = new LocalFileStore(settings.directory());
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new SettingsException("kaiku.upload.directory",
                    "cannot use " + settings.directory() + ": " + e.getMessage(), e));
        }
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        SlotToken tokens = new SlotToken(secret);
        Clock clock = Clock.systemUTC();
        return UploadHttp.start(system, settings, tls.jdkServerContext(), store, tokens, clock, blocking)
                .handle((binding, err) -> {
                    if (err != null) {
                        throw new SettingsException("kaiku.upload.port", "cannot listen on " + settings.bindHost() + ":"
                                + settings.port() + ": " + err.getMessage(), err);
                    }
                    URI base = settings.baseUrl(((InetSocketAddress) binding.localAddress()).getPort());
                    routes.serveLocally(settings.domain(), new UploadService(settings, serverDomain, store, tokens, base, replies,
                            blocking, clock));
                    Duration every = settings.expireAfter().compareTo(Duration.ofHours(1)) < 0 ? settings.expireAfter() : Duration.ofHours(1);
                    Cancellable sweep = system.scheduler().scheduleAtFixedRate(every, every, () -> {
                        try {
                            int n = store.expire(clock.instant().minus(settings.expireAfter()));
                            if (n > 0) {
                                LOG.info("upload: deleted {} files older than {}", n, settings.expireAfter());
                            }
                        } catch (IOException e) {
                            LOG.warn("upload: the expiry sweep failed: {}", e.toString());
                        }
                    }, system.executionContext());
                    LOG.info("HTTP File Upload at {} for {}", base, settings.domain());
                    return new UploadFeature(binding, sweep);
                });
    }

    /** The HTTPS port, or -1 when upload is off. */
    public int port() {
        return binding == null ? -1 : ((InetSocketAddress) binding.localAddress()).getPort();
    }

    public CompletionStage<Void> stop() {
        if (binding == null) {
            return CompletableFuture.completedFuture(null);
        }
        sweep.cancel();
        return binding.unbind().thenApply(d -> (Void) null).exceptionally(e -> null);
    }
}
