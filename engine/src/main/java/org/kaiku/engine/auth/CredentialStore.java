package org.kaiku.engine.auth;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.sasl.ScramMechanism;

/**
 * Account credentials as salted SCRAM keys (RFC 5802 section 3), one per mechanism; never a
 * password. Usernames are already PRECIS-prepared localparts; domains are prepared domainparts.
 * persistence/ implements this on Cassandra; {@link InMemoryCredentialStore} serves unit tests.
 */
public interface CredentialStore {

    /**
     * An account as the login path reads it, in one read: its credentials (empty when the account
     * does not exist) and whether an administrator disabled it (XEP-0133 section 4.4).
     */
    record Stored(Map<ScramMechanism, ScramCredential> credentials, boolean disabled) {
        public Stored {
            credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
        }
    }

    /** The account's credentials and disabled mark; empty credentials when it does not exist. */
    CompletionStage<Stored> account(String domain, String username);

    /** The credentials of an account, empty when the account does not exist. */
    default CompletionStage<Map<ScramMechanism, ScramCredential>> credentials(String domain, String username) {
        return account(domain, username).thenApply(Stored::credentials);
    }

    /**
     * Marks an account disabled (no login until re-enabled, nothing of it erased) or enabled
     * again; completes with false when there is no such account.
     */
    CompletionStage<Boolean> setDisabled(String domain, String username, boolean disabled);

    /** Usernames of a domain whose accounts are disabled, sorted. */
    CompletionStage<List<String>> listDisabled(String domain);

    /** Creates an account; completes with false when it already exists. */
    CompletionStage<Boolean> create(String domain, String username, Map<ScramMechanism, ScramCredential> credentials);

    /** Replaces an account's credentials; completes with false when there is no such account. */
    CompletionStage<Boolean> update(String domain, String username, Map<ScramMechanism, ScramCredential> credentials);

    /** Deletes an account; completes with false when there was no such account. */
    CompletionStage<Boolean> delete(String domain, String username);

    /** Usernames of a domain, sorted. */
    CompletionStage<List<String>> list(String domain);
}
