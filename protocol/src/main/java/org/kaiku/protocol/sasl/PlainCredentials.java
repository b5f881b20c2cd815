package org.kaiku.protocol.sasl;

import java.util.Objects;

/**
 * The decoded SASL PLAIN message (RFC 4616 section 2). Strings are as the client sent them; the
 * caller prepares authcid (UsernameCaseMapped) and checks the password against the stored
 * credential with {@link ScramCredential#verifyPassword}.
 *
 * @param authzid the authorization identity, or {@code null} when the client sent none
 * @param authcid the authentication identity (the username)
 * @param password the password
 */
public record PlainCredentials(String authzid, String authcid, String password) {

    public PlainCredentials {
        Objects.requireNonNull(authcid, "authcid");
        Objects.requireNonNull(password, "password");
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "PlainCredentials[authzid=" + authzid + ", authcid=" + authcid + "]";
    }
}
