package org.kaiku.engine.routing;

import org.kaiku.protocol.xml.XmlElement;

/**
 * Where an entity hands a stanza it does not deliver itself (RFC 6120 section 10: the server
 * routes by the 'to' address). {@link Router} is the production implementation; entity tests
 * pass a probe so they can see what would leave the entity.
 */
@FunctionalInterface
public interface StanzaRouter {

    /** Sends the stanza toward its 'to' address; never throws for a bad address. */
    void route(XmlElement stanza);
}
