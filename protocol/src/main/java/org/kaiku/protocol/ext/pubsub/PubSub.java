package org.kaiku.protocol.ext.pubsub;

import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0060 names (section 16 registrar, namespaces from the XEP's schemas) and its error replies:
 * a stanza error with the pubsub#errors application condition of section 7-8's error cases.
 */
public final class PubSub {
    public static final String NAMESPACE = "http://jabber.org/protocol/pubsub";
    public static final String OWNER = NAMESPACE + "#owner";
    public static final String EVENT = NAMESPACE + "#event";
    public static final String ERRORS = NAMESPACE + "#errors";
    /** FORM_TYPE of a node's configuration (section 16.4.1). */
    public static final String NODE_CONFIG = NAMESPACE + "#node_config";
    /** FORM_TYPE of publish options (section 7.1.5). */
    public static final String PUBLISH_OPTIONS = NAMESPACE + "#publish-options";
    /** FORM_TYPE of a subscription approval request (section 8.6). */
    public static final String SUBSCRIBE_AUTHORIZATION = NAMESPACE + "#subscribe_authorization";
    /** FORM_TYPE of node meta-data in disco#info (section 5.4). */
    public static final String META_DATA = NAMESPACE + "#meta-data";

    private PubSub() {
    }

    /** The error reply to {@code iq} with {@code condition} and, when not null, the pubsub#errors element {@code app}. */
    public static XmlElement error(XmlElement iq, StanzaError.Condition condition, String app) {
        return error(iq, new StanzaError(condition.defaultType(), condition, null), app, null);
    }

    /**
     * The error reply with an explicit type (XEP-0060 gives some conditions another type than
     * RFC 6120's default), the pubsub#errors element {@code app} (or none) and, for
     * {@code <unsupported/>}, its {@code feature}.
     */
    public static XmlElement error(XmlElement iq, StanzaError error, String app, String feature) {
        XmlElement reply = Stanzas.errorReply(iq, error);
        if (app == null) {
            return reply;
        }
        return Stanzas.withApplicationCondition(reply, XmlElement.builder(app, ERRORS).attr("feature", feature).build());
    }

    /** {@code <feature-not-implemented/>} with {@code <unsupported feature='...'/>} (section 7-8). */
    public static XmlElement unsupported(XmlElement iq, String feature) {
        return error(iq, StanzaError.of(StanzaError.Condition.FEATURE_NOT_IMPLEMENTED), "unsupported", feature);
    }
}
