package org.kaiku.engine.user;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.kaiku.engine.auth.CredentialStore;

/**
 * Whether the entity's account exists, for the stanzas that reach it while no resource is bound
 * (RFC 6121 section 8.5.1: to an account that does not exist a message gets service-unavailable,
 * presence is ignored, an iq gets service-unavailable). Without this, anybody could fill the
 * offline store and the journal by writing to made-up names.
 *
 * <p>Known without asking: an account whose resource binds exists (it just authenticated), and
 * one this entity just {@link #erased} does not. Otherwise the entity reads
 * the credentials once (one Cassandra read, the first time a stanza reaches an account none of
 * whose clients is online in this incarnation) and holds the stanzas that arrive meanwhile (the
 * persistence stash), in order. "Absent" is trusted for {@link #ABSENT_FOR} only, so that an
 * account created meanwhile is found at the next stanza after that (account creation does not
 * signal the entity: a bulk import would start one entity per account); until then stanzas for it
 * are refused as for an unknown account, unless its user logs in. A failed look-up
 * counts as present: the stanza is handled as before (stored offline), not refused.
 */
final class AccountExistence {
    enum Known { UNKNOWN, PRESENT, ABSENT }

    static final Duration ABSENT_FOR = Duration.ofSeconds(30);

    private final Account account;
    private final ActorContext<UserEntity.Command> context;
    private final CredentialStore credentials;
    private Known known;
    private long absentUntilNanos;
    private boolean checking;

    /** {@code credentials} null: every account counts as present (tests without a credential store). */
    AccountExistence(Account account, ActorContext<UserEntity.Command> context, CredentialStore credentials) {
        this.account = account;
        this.context = context;
        this.credentials = credentials;
        this.known = credentials == null ? Known.PRESENT : Known.UNKNOWN;
    }

    Known known() {
        if (known == Known.ABSENT && System.nanoTime() - absentUntilNanos >= 0) {
            known = Known.UNKNOWN;
        }
        return known;
    }

    /** A resource bound: its user just authenticated. */
    void created() {
        known = Known.PRESENT;
    }

    /** The account was just deleted. */
    void erased() {
        absent();
    }

    private void absent() {
        known = credentials == null ? Known.PRESENT : Known.ABSENT;
        absentUntilNanos = System.nanoTime() + ABSENT_FOR.toNanos();
    }

    /** Starts a look-up unless one runs; its answer comes back as {@link UserEntity.ExistenceChecked}. */
    void check() {
        if (checking) {
            return;
        }
        checking = true;
        CompletableFuture<Boolean> found;
        try {
            found = credentials.credentials(account.jid().domain(), account.jid().local())
                    .thenApply(c -> c != null && !c.isEmpty()).toCompletableFuture();
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        context.pipeToSelf(found, (exists, err) -> new UserEntity.ExistenceChecked(err == null && !exists));
    }

    void checked(UserEntity.ExistenceChecked m) {
        checking = false;
        if (m.absent()) {
            absent();
        } else if (known != Known.ABSENT) {
            known = Known.PRESENT;
        }
    }
}
