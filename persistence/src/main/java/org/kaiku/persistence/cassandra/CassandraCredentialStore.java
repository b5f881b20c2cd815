package org.kaiku.persistence.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.data.UdtValue;
import com.datastax.oss.driver.api.core.type.MapType;
import com.datastax.oss.driver.api.core.type.UserDefinedType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.zip.CRC32;
import org.kaiku.engine.auth.CredentialStore;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;

/**
 * Accounts as salted SCRAM keys (RFC 5802 section 3; SCRAM-SHA-256 per RFC 7677) in Cassandra:
 * salt, iteration count, StoredKey and ServerKey per mechanism, as blobs; never a password.
 *
 * <p>Schema: {@code accounts(domain, bucket, username, credentials)} with partition key
 * {@code (domain, bucket)}, where bucket is CRC-32 of the username modulo {@value #BUCKETS}, and
 * credentials a frozen map from the SASL mechanism name to a {@code scram_credential} value.
 * The trade-off: {@link #list} reads exactly {@value #BUCKETS} partitions of one domain, never
 * the whole cluster (which a table keyed by account alone would need), and it cannot drift from
 * the accounts as a second index table could after a failure between two writes; a single
 * partition per domain would have been cheaper to list but makes one ever-growing partition and
 * one Paxos hot spot for all sign-ups of a domain. The bucket count is fixed forever once data
 * exists. A domain of a million accounts makes partitions of about 10 MB.
 *
 * <p>Create, update and delete are lightweight transactions ({@code IF NOT EXISTS} /
 * {@code IF EXISTS}) at serial consistency SERIAL, so their boolean is right even when several
 * servers, in several data centres, race on one account; reads are LOCAL_QUORUM. A timed-out
 * transaction fails its stage: its outcome is unknown and the driver does not retry it.
 */
public final class CassandraCredentialStore implements CredentialStore, AutoCloseable {

    /** Partitions per domain. Changing it would hide existing accounts. */
    public static final int BUCKETS = 32;

    /** JID localparts and domainparts are at most 1023 bytes (RFC 7622 section 3). */
    private static final int MAX_PART_BYTES = 1023;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final CqlSession session;
    private final UserDefinedType credentialType;
    private final PreparedStatement select;
    private final PreparedStatement insert;
    private final PreparedStatement update;
    private final PreparedStatement delete;
    private final PreparedStatement listBucket;
    private final PreparedStatement setDisabled;
    private final PreparedStatement listDisabledBucket;

    private CassandraCredentialStore(CqlSession session, String keyspace) {
        this.session = session;
        String table = keyspace + ".accounts";
        this.select = session.prepare("SELECT credentials, disabled FROM " + table + " WHERE domain = ? AND bucket = ? AND username = ?");
        this.insert = session.prepare("INSERT INTO " + table
                + " (domain, bucket, username, credentials) VALUES (?, ?, ?, ?) IF NOT EXISTS");
        this.update = session.prepare("UPDATE " + table
                + " SET credentials = ? WHERE domain = ? AND bucket = ? AND username = ? IF EXISTS");
        this.delete = session.prepare("DELETE FROM " + table + " WHERE domain = ? AND bucket = ? AND username = ? IF EXISTS");
        this.listBucket = session.prepare("SELECT username FROM " + table + " WHERE domain = ? AND bucket = ?");
        this.setDisabled = session.prepare("UPDATE " + table
                + " SET disabled = ? WHERE domain = ? AND bucket = ? AND username = ? IF EXISTS");
        this.listDisabledBucket = session.prepare("SELECT username, disabled FROM " + table + " WHERE domain = ? AND bucket = ?");
        MapType credentialsType = (MapType) insert.getVariableDefinitions().get("credentials").getType();
        this.credentialType = (UserDefinedType) credentialsType.getValueType();
    }

    /** Connects, creates the keyspace, type and table when missing (idempotent), prepares statements. */
    public static CassandraCredentialStore connect(CassandraSettings settings) {
        String ks = settings.keyspace();
        return CassandraSessions.open(settings, "kaiku-credentials", REQUEST_TIMEOUT,
                // above Cassandra's own LWT limits (cas_contention_timeout 1.8 s + write timeout 2 s),
                // so that the server, not the client, decides a contended transaction's outcome
                b -> b.withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, ConsistencyLevel.SERIAL.name()),
                List.of("CREATE TYPE IF NOT EXISTS " + ks + ".scram_credential ("
                                + "salt blob, iterations int, stored_key blob, server_key blob)",
                        "CREATE TABLE IF NOT EXISTS " + ks + ".accounts ("
                                + "domain text, bucket int, username text, "
                                + "credentials frozen<map<text, frozen<scram_credential>>>, "
                                + "PRIMARY KEY ((domain, bucket), username))",
                        // XEP-0133 disable-user: read with the credentials, so a login still costs one read
                        "ALTER TABLE " + ks + ".accounts ADD IF NOT EXISTS disabled boolean"),
                session -> new CassandraCredentialStore(session, ks));
    }

    @Override
    public CompletionStage<Stored> account(String domain, String username) {
        try {
            checkParts(domain, username);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run(select.bind(domain, bucket(username), username).setIdempotent(true)).thenApply(rs -> {
            Row row = rs.one();
            if (row == null || row.isNull("credentials")) {
                return new Stored(Map.of(), false);
            }
            return new Stored(decode(row.getMap("credentials", String.class, UdtValue.class)),
                    !row.isNull("disabled") && row.getBoolean("disabled"));
        });
    }

    @Override
    public CompletionStage<Boolean> setDisabled(String domain, String username, boolean disabled) {
        try {
            checkParts(domain, username);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run(setDisabled.bind(disabled, domain, bucket(username), username)).thenApply(AsyncResultSet::wasApplied);
    }

    @Override
    public CompletionStage<List<String>> listDisabled(String domain) {
        try {
            checkPart("domain", domain);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return scan(domain, listDisabledBucket, row -> !row.isNull(1) && row.getBoolean(1));
    }

    @Override
    public CompletionStage<Boolean> create(String domain, String username, Map<ScramMechanism, ScramCredential> credentials) {
        Map<String, UdtValue> encoded;
        try {
            checkParts(domain, username);
            encoded = encode(credentials);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run(insert.bind(domain, bucket(username), username, encoded)).thenApply(AsyncResultSet::wasApplied);
    }

    @Override
    public CompletionStage<Boolean> update(String domain, String username, Map<ScramMechanism, ScramCredential> credentials) {
        Map<String, UdtValue> encoded;
        try {
            checkParts(domain, username);
            encoded = encode(credentials);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run(update.bind(encoded, domain, bucket(username), username)).thenApply(AsyncResultSet::wasApplied);
    }

    @Override
    public CompletionStage<Boolean> delete(String domain, String username) {
        try {
            checkParts(domain, username);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run(delete.bind(domain, bucket(username), username)).thenApply(AsyncResultSet::wasApplied);
    }

    @Override
    public CompletionStage<List<String>> list(String domain) {
        try {
            checkPart("domain", domain);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return scan(domain, listBucket, row -> true);
    }

    /** Usernames of every bucket of the domain whose row passes {@code keep}, sorted (32 queries in parallel). */
    private CompletionStage<List<String>> scan(String domain, PreparedStatement query, java.util.function.Predicate<Row> keep) {
        List<CompletableFuture<List<String>>> buckets = new ArrayList<>();
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            List<String> usernames = new ArrayList<>();
            buckets.add(run(query.bind(domain, bucket).setIdempotent(true))
                    .thenCompose(rs -> collect(rs, keep, usernames))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(buckets.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<String> all = new ArrayList<>();
            buckets.forEach(bucket -> all.addAll(bucket.join()));
            all.sort(null);
            return List.copyOf(all);
        });
    }

    @Override
    public void close() {
        session.close();
    }

    /** The bucket of a username: CRC-32 of its UTF-8 bytes, a function fixed by its standard. */
    static int bucket(String username) {
        CRC32 crc = new CRC32();
        crc.update(username.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % BUCKETS);
    }

    private CompletionStage<AsyncResultSet> run(Statement<?> statement) {
        return session.executeAsync(statement);
    }

    private static CompletionStage<List<String>> collect(AsyncResultSet rs, java.util.function.Predicate<Row> keep, List<String> into) {
        for (Row row : rs.currentPage()) {
            if (keep.test(row)) {
                into.add(row.getString(0));
            }
        }
        return rs.hasMorePages()
                ? rs.fetchNextPage().thenCompose(next -> collect(next, keep, into))
                : CompletableFuture.completedFuture(into);
    }

    private Map<String, UdtValue> encode(Map<ScramMechanism, ScramCredential> credentials) {
        if (credentials == null || credentials.isEmpty()) {
            throw new IllegalArgumentException("an account needs at least one credential");
        }
        Map<String, UdtValue> out = new LinkedHashMap<>();
        for (Map.Entry<ScramMechanism, ScramCredential> e : credentials.entrySet()) {
            ScramCredential c = e.getValue();
            if (e.getKey() == null || c == null || c.mechanism() != e.getKey()) {
                throw new IllegalArgumentException("credential stored under " + e.getKey() + " is for "
                        + (c == null ? "nothing" : c.mechanism()));
            }
            out.put(c.mechanism().saslName(), credentialType.newValue()
                    .setByteBuffer("salt", ByteBuffer.wrap(c.salt()))
                    .setInt("iterations", c.iterations())
                    .setByteBuffer("stored_key", ByteBuffer.wrap(c.storedKey()))
                    .setByteBuffer("server_key", ByteBuffer.wrap(c.serverKey())));
        }
        return out;
    }

    /** Mechanisms this version does not know (written by a newer one) are skipped. */
    private static Map<ScramMechanism, ScramCredential> decode(Map<String, UdtValue> stored) {
        Map<ScramMechanism, ScramCredential> out = new EnumMap<>(ScramMechanism.class);
        stored.forEach((name, value) -> ScramMechanism.bySaslName(name).ifPresent(m -> out.put(m,
                new ScramCredential(m, bytes(value.getByteBuffer("salt")), value.getInt("iterations"),
                        bytes(value.getByteBuffer("stored_key")), bytes(value.getByteBuffer("server_key"))))));
        return Map.copyOf(out);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    private static void checkParts(String domain, String username) {
        checkPart("domain", domain);
        checkPart("username", username);
    }

    private static void checkPart(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_PART_BYTES) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_PART_BYTES + " bytes");
        }
    }
}
