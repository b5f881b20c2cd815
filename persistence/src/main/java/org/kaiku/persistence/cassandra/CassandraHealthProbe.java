package org.kaiku.persistence.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.kaiku.engine.storage.StorageHealth;

/**
 * Tells {@link StorageHealth} whether Cassandra answers: one cheap local read ({@code SELECT
 * release_version FROM system.local}, no keyspace, ONE) every {@code every} on a driver session of
 * its own, and at once when a store reports a failure. One probe is in flight at a time, so a
 * burst of failed writes costs one query. A probe unanswered after 5 s counts as failed: a node
 * that slow is as good as down for clients. Its session reconnects within 2 s of a node's return
 * (the driver's default backs off to a minute), so recovery is seen about as soon as it happens.
 *
 * <p>Why a probe rather than the driver's node events alone: the journal, the stores and this
 * probe hold separate sessions, and a node can accept connections yet fail queries; a query that
 * succeeds is the fact that matters. Cost: one small request a second.
 */
public final class CassandraHealthProbe implements AutoCloseable {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final CqlSession session;
    private final StorageHealth health;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final SimpleStatement query = SimpleStatement.newInstance("SELECT release_version FROM system.local")
            .setConsistencyLevel(ConsistencyLevel.ONE).setTimeout(PROBE_TIMEOUT);

    private CassandraHealthProbe(CqlSession session, StorageHealth health) {
        this.session = session;
        this.health = health;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kaiku-storage-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects (Cassandra must answer now, as for the stores) and probes every {@code every}. */
    public static CassandraHealthProbe start(CassandraSettings settings, StorageHealth health, Duration every) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withStringList(DefaultDriverOption.CONTACT_POINTS, settings.contactPointStrings())
                .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, settings.localDatacenter())
                .withString(DefaultDriverOption.SESSION_NAME, "kaiku-probe")
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, PROBE_TIMEOUT)
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(250))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1))
                .build();
        CassandraHealthProbe probe = new CassandraHealthProbe(CqlSession.builder().withConfigLoader(config).build(), health);
        health.setProbeNow(probe::probeSoon);
        probe.timer.scheduleWithFixedDelay(probe::probe, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return probe;
    }

    private void probeSoon() {
        if (!inFlight.get() && !timer.isShutdown()) {
            try {
                timer.execute(this::probe);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void probe() {
        if (!inFlight.compareAndSet(false, true)) {
            return;
        }
        try {
            session.executeAsync(query).whenComplete((rs, err) -> {
                inFlight.set(false);
                if (err == null) {
                    health.probeSucceeded();
                } else {
                    health.probeFailed(readable(err));
                }
            });
        } catch (RuntimeException e) {
            inFlight.set(false);
            health.probeFailed(e);
        }
    }

    /** The driver's "all nodes failed" as the first node's own error, which says what happened. */
    static Throwable readable(Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (t instanceof AllNodesFailedException all) {
            for (Map.Entry<Node, List<Throwable>> e : all.getAllErrors().entrySet()) {
                if (!e.getValue().isEmpty()) {
                    Throwable first = e.getValue().get(0);
                    return new Unreachable("Cassandra at " + e.getKey().getEndPoint() + " does not answer ("
                            + first.getClass().getSimpleName() + ")", t);
                }
            }
        }
        return t;
    }

    /** What the probe reports when no node answered. */
    static final class Unreachable extends RuntimeException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public void close() {
        health.setProbeNow(() -> { });
        timer.shutdownNow();
        session.close();
    }
}
