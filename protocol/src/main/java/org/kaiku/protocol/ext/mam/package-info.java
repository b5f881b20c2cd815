/**
 * XEP-0313: Message Archive Management, version 1.1.3 (namespace {@code urn:xmpp:mam:2}), with the
 * preferences protocol XEP-0441: Message Archive Management Preferences, version 0.2.0 (same
 * namespace). Records and their codec for the query (with its XEP-0004 form and XEP-0059 set),
 * the result messages, the closing {@code <fin/>}, and {@code <prefs/>}.
 */
package org.kaiku.protocol.ext.mam;
