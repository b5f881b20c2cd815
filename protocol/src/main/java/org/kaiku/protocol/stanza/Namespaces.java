package org.kaiku.protocol.stanza;

/** Namespace names of RFC 6120 and RFC 6121 used across the server. */
public final class Namespaces {
    /** Content namespace of client-to-server streams (RFC 6120 section 4.8.2). */
    public static final String CLIENT = "jabber:client";
    /** Content namespace of server-to-server streams (RFC 6120 section 4.8.2). */
    public static final String SERVER = "jabber:server";
    /** The stream namespace, bound to the {@code stream} prefix (RFC 6120 section 4.8.1). */
    public static final String STREAMS = "http://etherx.jabber.org/streams";
    /** Stream error conditions (RFC 6120 section 4.9.2). */
    public static final String STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";
    /** Stanza error conditions (RFC 6120 section 8.3.2). */
    public static final String STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
    /** SASL negotiation (RFC 6120 section 6.4). */
    public static final String SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
    /** STARTTLS negotiation (RFC 6120 section 5.4). */
    public static final String TLS = "urn:ietf:params:xml:ns:xmpp-tls";
    /** Resource binding (RFC 6120 section 7). */
    public static final String BIND = "urn:ietf:params:xml:ns:xmpp-bind";
    /** Session establishment, kept for old clients (RFC 3921 section 3, draft-cridland-xmpp-session). */
    public static final String SESSION = "urn:ietf:params:xml:ns:xmpp-session";
    /** Roster management (RFC 6121 section 2). */
    public static final String ROSTER = "jabber:iq:roster";
    /** The namespace bound to the {@code xml} prefix ({@code xml:lang}). */
    public static final String XML = "http://www.w3.org/XML/1998/namespace";

    private Namespaces() {
    }

    /** Whether stanzas may live in this namespace: {@link #CLIENT} or {@link #SERVER}. */
    public static boolean isStanzaNamespace(String namespace) {
        return CLIENT.equals(namespace) || SERVER.equals(namespace);
    }
}
