package org.kaiku.deploy.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kaiku's readiness checks, built the way Pekko Management builds them (by class name, with the
 * actor system): "not ready" until the server says its store and listener are there, then
 * following what it reports, in both directions.
 */
class ReadinessChecksTest {
    private ActorSystem system;

    @BeforeEach
    void start() {
        system = ActorSystem.create("readiness", ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    private Supplier<java.util.concurrent.CompletionStage<Boolean>> check(Class<?> type) throws Exception {
        return (Supplier<java.util.concurrent.CompletionStage<Boolean>>) type.getConstructor(ActorSystem.class).newInstance(system);
    }

    private static boolean ask(Supplier<java.util.concurrent.CompletionStage<Boolean>> check) throws Exception {
        return check.get().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void notReadyUntilToldThenFollowsTheNode() throws Exception {
        Supplier<java.util.concurrent.CompletionStage<Boolean>> cassandra = check(CassandraReadyCheck.class);
        Supplier<java.util.concurrent.CompletionStage<Boolean>> listener = check(XmppListenerReadyCheck.class);
        assertThat(ask(cassandra)).isFalse();
        assertThat(ask(listener)).isFalse();

        AtomicBoolean storageUp = new AtomicBoolean(true);
        AtomicBoolean bound = new AtomicBoolean(true);
        NodeReadiness.get(system).storage(storageUp::get);
        NodeReadiness.get(system).listener(bound::get);
        assertThat(ask(cassandra)).isTrue();
        assertThat(ask(listener)).isTrue();

        storageUp.set(false);
        assertThat(ask(cassandra)).isFalse();
        assertThat(ask(listener)).isTrue();
        bound.set(false);
        assertThat(ask(listener)).isFalse();
    }
}
