package org.kaiku.protocol.stanza;

/**
 * A request payload that cannot be taken, and the stanza error condition to answer it with
 * (RFC 6120 section 8.3.3). Thrown by the extension codecs that read requests; the handler
 * turns it into the error reply, with the message as the error's text.
 */
public final class StanzaRequestException extends Exception {
    private final StanzaError.Condition condition;

    public StanzaRequestException(StanzaError.Condition condition, String message) {
        super(message);
        this.condition = condition;
    }

    public StanzaError.Condition condition() {
        return condition;
    }
}
