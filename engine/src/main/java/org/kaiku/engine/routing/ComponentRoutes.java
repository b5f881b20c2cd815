package org.kaiku.engine.routing;

import org.kaiku.protocol.xml.XmlElement;

/**
 * The router's view of external components (XEP-0114): which domains are components' and how to
 * hand a stanza to the one connected for a domain. Implemented by
 * {@link org.kaiku.engine.component.ComponentDirectory}.
 */
public interface ComponentRoutes {
    /** No components: every other domain is remote. */
    ComponentRoutes NONE = new ComponentRoutes() {
        @Override
        public boolean serves(String domain) {
            return false;
        }

        @Override
        public boolean deliver(String domain, XmlElement stanza) {
            return false;
        }
    };

    /** Whether {@code domain} (prepared) is configured as a component's. */
    boolean serves(String domain);

    /** Hands the stanza to the component connected for {@code domain}; false when none is. */
    boolean deliver(String domain, XmlElement stanza);
}
