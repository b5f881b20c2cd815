package org.kaiku.protocol.sasl;

/**
 * A failed SASL exchange, carrying the RFC 6120 section 6.5 condition to send in
 * {@code <failure/>}. The message is meant for logs; it never contains credentials, and an
 * unknown account yields exactly the same condition and message as a wrong password.
 */
public final class SaslException extends Exception {
    private static final long serialVersionUID = 1L;

    private final SaslFailure failure;

    public SaslException(SaslFailure failure, String message) {
        super(message);
        this.failure = failure;
    }

    public SaslException(SaslFailure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    /** The condition to answer with. */
    public SaslFailure failure() {
        return failure;
    }
}
