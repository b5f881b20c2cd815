package org.kaiku.protocol.sasl;

import java.util.Optional;

/**
 * The SASL failure conditions of RFC 6120 section 6.5, sent as the child of
 * {@code <failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>}.
 */
public enum SaslFailure {
    /** 6.5.1: the client sent {@code <abort/>}. */
    ABORTED("aborted"),
    /** 6.5.2: the account exists but is disabled. */
    ACCOUNT_DISABLED("account-disabled"),
    /** 6.5.3: the credentials have expired. */
    CREDENTIALS_EXPIRED("credentials-expired"),
    /** 6.5.4: the mechanism needs a TLS-protected stream. */
    ENCRYPTION_REQUIRED("encryption-required"),
    /** 6.5.5: the base64 of the {@code <auth/>} or {@code <response/>} text is wrong. */
    INCORRECT_ENCODING("incorrect-encoding"),
    /** 6.5.6: the authorization identity is not one the client may act as. */
    INVALID_AUTHZID("invalid-authzid"),
    /** 6.5.7: the mechanism is not offered. */
    INVALID_MECHANISM("invalid-mechanism"),
    /** 6.5.8: the request is malformed (syntax, wrong order, missing data). */
    MALFORMED_REQUEST("malformed-request"),
    /** 6.5.9: the mechanism is weaker than policy allows for this account or client. */
    MECHANISM_TOO_WEAK("mechanism-too-weak"),
    /** 6.5.10: the credentials are wrong (also used for unknown accounts, so they do not leak). */
    NOT_AUTHORIZED("not-authorized"),
    /** 6.5.11: a temporary error on the server side, e.g. the credential store is down. */
    TEMPORARY_AUTH_FAILURE("temporary-auth-failure");

    /** The namespace of the SASL elements, RFC 6120 section 6.4. */
    public static final String NAMESPACE = "urn:ietf:params:xml:ns:xmpp-sasl";

    private final String elementName;

    SaslFailure(String elementName) {
        this.elementName = elementName;
    }

    /** The local name of the condition element, e.g. {@code not-authorized}. */
    public String elementName() {
        return elementName;
    }

    /** The condition for an element name, as a client library reads a {@code <failure/>}. */
    public static Optional<SaslFailure> byElementName(String name) {
        for (SaslFailure f : values()) {
            if (f.elementName.equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
