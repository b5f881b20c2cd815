package org.kaiku.protocol.stream;

/**
 * A typed failure of the incoming XML stream. Each carries the {@link StreamError.Condition}
 * the server must send before closing (RFC 6120 section 4.9.3).
 */
public class XmlStreamException extends Exception {
    private final StreamError.Condition condition;

    public XmlStreamException(StreamError.Condition condition, String message) {
        super(message);
        this.condition = condition;
    }

    public XmlStreamException(StreamError.Condition condition, String message, Throwable cause) {
        super(message, cause);
        this.condition = condition;
    }

    public StreamError.Condition condition() {
        return condition;
    }

    public StreamError toStreamError() {
        return new StreamError(condition, getMessage());
    }
}
