package org.kaiku.protocol.jid;

/**
 * A string or part that is not a valid XMPP address under RFC 7622. Callers turn it into the
 * protocol's answer: {@code <jid-malformed/>} for a stanza attribute, {@code <improper-addressing/>}
 * or {@code <host-unknown/>} at the stream level, a bad-request in a form.
 */
public final class JidFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public JidFormatException(String message) {
        super(message);
    }

    public JidFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
