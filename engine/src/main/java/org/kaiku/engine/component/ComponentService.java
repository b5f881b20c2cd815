package org.kaiku.engine.component;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.routing.Router;
import org.kaiku.protocol.xml.DecoderLimits;

/**
 * The component listener of one node, bound when at least one component is configured
 * ({@code kaiku.components.secrets}), on {@code kaiku.components.bind-host} (loopback by default:
 * XEP-0114 streams are not encrypted, so a component on another machine needs a tunnel or a
 * private network).
 */
public final class ComponentService {
    private final ActorRef<ComponentListener.Command> listener;
    private final Tcp.ServerBinding binding;

    private ComponentService(ActorRef<ComponentListener.Command> listener, Tcp.ServerBinding binding) {
        this.listener = listener;
        this.binding = binding;
    }

    public static CompletionStage<ComponentService> start(ActorSystem<?> system, ComponentSettings settings,
                                                          ComponentDirectory directory, Router router, DecoderLimits limits) {
        if (settings.secrets().isEmpty()) {
            return CompletableFuture.completedFuture(new ComponentService(null, null));
        }
        ActorRef<ComponentListener.Command> listener = system.systemActorOf(
                ComponentListener.create(settings, directory, router, limits), "components", Props.empty());
        return Tcp.get(system).bind(settings.bindHost(), settings.port())
                .to(Sink.foreach(conn -> listener.tell(new ComponentListener.Accept(conn))))
                .run(Materializer.matFromSystem(system))
                .handle((b, err) -> {
                    if (err != null) {
                        throw new SettingsException("kaiku.components.port",
                                "cannot listen on " + settings.bindHost() + ":" + settings.port() + ": " + err.getMessage(), err);
                    }
                    return new ComponentService(listener, b);
                });
    }

    /** The bound port, or -1 when no component is configured. */
    public int port() {
        return binding == null ? -1 : ((InetSocketAddress) binding.localAddress()).getPort();
    }

    /** Stops accepting, then ends every component stream with system-shutdown. */
    public CompletionStage<Void> stop(ActorSystem<?> system) {
        if (binding == null) {
            return CompletableFuture.completedFuture(null);
        }
        return binding.unbind()
                .thenCompose(x -> AskPattern.<ComponentListener.Command, Done>ask(listener, ComponentListener.Shutdown::new,
                        Duration.ofSeconds(10), system.scheduler()))
                .handle((d, err) -> null);
    }
}
