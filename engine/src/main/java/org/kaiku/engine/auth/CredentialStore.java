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

    /** The credentials of an account, empty when the account does not exist. */
    CompletionStage<Map<ScramMechanism, ScramCredential>> credentials(String domain, String username);

    /** Creates an account; completes with false when it already exists. */
    CompletionStage<Boolean> create(String domain, String username, Map<ScramMechanism, ScramCredential> credentials);

    /** Replaces an account's credentials; completes with false when there is no such account. */
    CompletionStage<Boolean> update(String domain, String username, Map<ScramMechanism, ScramCredential> credentials);

    /** Deletes an account; completes with false when there was no such account. */
    CompletionStage<Boolean> delete(String domain, String username);

    /** Usernames of a domain, sorted. */
    CompletionStage<List<String>> list(String domain);
}
