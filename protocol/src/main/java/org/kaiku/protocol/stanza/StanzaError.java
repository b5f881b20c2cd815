package org.kaiku.protocol.stanza;

import java.util.Locale;
import java.util.Objects;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;

/**
 * A stanza-level error (RFC 6120 section 8.3): recoverable, reported to the sender in an error
 * stanza, the stream stays up.
 *
 * @param type      what the sender may do about it (section 8.3.2)
 * @param condition the defined condition (section 8.3.3)
 * @param text      optional human-readable description, or null
 */
public record StanzaError(Type type, Condition condition, String text) {

    /** Error types of RFC 6120 section 8.3.2. */
    public enum Type {
        AUTH, CANCEL, CONTINUE, MODIFY, WAIT;

        /** The attribute value, e.g. {@code cancel}. */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The type for an attribute value, or null when it is not one of the five. */
        public static Type fromValue(String value) {
            for (Type t : values()) {
                if (t.value().equals(value)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** Defined conditions of RFC 6120 section 8.3.3, each with the type its examples use. */
    public enum Condition {
        BAD_REQUEST(Type.MODIFY),
        CONFLICT(Type.CANCEL),
        FEATURE_NOT_IMPLEMENTED(Type.CANCEL),
        FORBIDDEN(Type.AUTH),
        GONE(Type.CANCEL),
        INTERNAL_SERVER_ERROR(Type.CANCEL),
        ITEM_NOT_FOUND(Type.CANCEL),
        JID_MALFORMED(Type.MODIFY),
        NOT_ACCEPTABLE(Type.MODIFY),
        NOT_ALLOWED(Type.CANCEL),
        NOT_AUTHORIZED(Type.AUTH),
        POLICY_VIOLATION(Type.MODIFY),
        RECIPIENT_UNAVAILABLE(Type.WAIT),
        REDIRECT(Type.MODIFY),
        REGISTRATION_REQUIRED(Type.AUTH),
        REMOTE_SERVER_NOT_FOUND(Type.CANCEL),
        REMOTE_SERVER_TIMEOUT(Type.WAIT),
        RESOURCE_CONSTRAINT(Type.WAIT),
        SERVICE_UNAVAILABLE(Type.CANCEL),
        SUBSCRIPTION_REQUIRED(Type.AUTH),
        UNDEFINED_CONDITION(Type.CANCEL),
        UNEXPECTED_REQUEST(Type.WAIT);

        private final Type defaultType;

        Condition(Type defaultType) {
            this.defaultType = defaultType;
        }

        public Type defaultType() {
            return defaultType;
        }

        /** The element name, e.g. {@code service-unavailable}. */
        public String elementName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The condition for an element name, or null when it is not a defined one. */
        public static Condition fromElementName(String elementName) {
            for (Condition c : values()) {
                if (c.elementName().equals(elementName)) {
                    return c;
                }
            }
            return null;
        }
    }

    public StanzaError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(condition, "condition");
    }

    /** The condition with its usual type and no text. */
    public static StanzaError of(Condition condition) {
        return new StanzaError(condition.defaultType(), condition, null);
    }

    /** The condition with its usual type and a description. */
    public static StanzaError of(Condition condition, String text) {
        return new StanzaError(condition.defaultType(), condition, text);
    }

    /** {@code <error/>} as a child of a {@code jabber:client} stanza. */
    public XmlElement toElement() {
        return toElement(Namespaces.CLIENT);
    }

    /**
     * {@code <error type='...'><condition xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
     * [<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>...</text>]</error>},
     * the error element qualified by the namespace of the stanza it goes into.
     */
    public XmlElement toElement(String stanzaNamespace) {
        XmlElement.Builder b = XmlElement.builder("error", stanzaNamespace)
                .attr("type", type.value())
                .child(XmlElement.of(condition.elementName(), Namespaces.STANZAS));
        if (text != null && !text.isEmpty()) {
            b.child(XmlElement.builder("text", Namespaces.STANZAS).attr("xml:lang", "en").text(text).build());
        }
        return b.build();
    }

    /**
     * Reads an {@code <error/>} element as received. Unknown or missing conditions read as
     * {@link Condition#UNDEFINED_CONDITION}, an unknown type as the condition's usual type.
     */
    public static StanzaError fromElement(XmlElement error) {
        Condition condition = null;
        String text = null;
        for (XmlNode n : error.children()) {
            if (n instanceof XmlElement e && e.namespace().equals(Namespaces.STANZAS)) {
                if (e.name().equals("text")) {
                    text = e.text();
                } else if (condition == null) {
                    condition = Condition.fromElementName(e.name());
                }
            }
        }
        if (condition == null) {
            condition = Condition.UNDEFINED_CONDITION;
        }
        Type type = Type.fromValue(error.attr("type"));
        return new StanzaError(type == null ? condition.defaultType() : type, condition, text);
    }
}
