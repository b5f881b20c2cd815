package org.kaiku.protocol.stream;

import java.util.Locale;
import org.kaiku.protocol.xml.XmlElement;

/**
 * A stream-level error (RFC 6120 section 4.9). Stream errors are unrecoverable: the server
 * sends the error and closes the stream. An application-specific condition (section 4.9.4), such
 * as XEP-0198's handled-count-too-high, may go with the defined one.
 *
 * @param application the application-specific condition element, or null
 */
public record StreamError(Condition condition, String text, XmlElement application) {

    public static final String NAMESPACE = "urn:ietf:params:xml:ns:xmpp-streams";
    public static final String STREAM_NAMESPACE = "http://etherx.jabber.org/streams";

    /** The defined conditions of RFC 6120 section 4.9.3. */
    public enum Condition {
        BAD_FORMAT, BAD_NAMESPACE_PREFIX, CONFLICT, CONNECTION_TIMEOUT, HOST_GONE, HOST_UNKNOWN,
        IMPROPER_ADDRESSING, INTERNAL_SERVER_ERROR, INVALID_FROM, INVALID_NAMESPACE, INVALID_XML,
        NOT_AUTHORIZED, NOT_WELL_FORMED, POLICY_VIOLATION, REMOTE_CONNECTION_FAILED, RESET,
        RESOURCE_CONSTRAINT, RESTRICTED_XML, SEE_OTHER_HOST, SYSTEM_SHUTDOWN, UNDEFINED_CONDITION,
        UNSUPPORTED_ENCODING, UNSUPPORTED_FEATURE, UNSUPPORTED_STANZA_TYPE, UNSUPPORTED_VERSION;

        /** The element name, e.g. {@code not-well-formed}. */
        public String elementName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Condition fromElementName(String elementName) {
            return valueOf(elementName.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    public StreamError(Condition condition) {
        this(condition, null, null);
    }

    public StreamError(Condition condition, String text) {
        this(condition, text, null);
    }

    /** {@code <stream:error>...</stream:error>} as written inside an open stream. */
    public String toXml() {
        StringBuilder sb = new StringBuilder("<stream:error><");
        sb.append(condition.elementName()).append(" xmlns=\"").append(NAMESPACE).append("\"/>");
        if (text != null && !text.isEmpty()) {
            sb.append(XmlElement.builder("text", NAMESPACE).attr("xml:lang", "en").text(text).build().toXml());
        }
        if (application != null) {
            // RFC 6120 section 4.9.2: defined condition, optional text, optional application condition
            sb.append(application.toXml());
        }
        return sb.append("</stream:error>").toString();
    }
}
