/**
 * XEP-0198: Stream Management, version 1.6.3, namespace {@code urn:xmpp:sm:3}. The nonzas
 * (enable, enabled, resume, resumed, failed, r, a) and the 32-bit sequence arithmetic of section
 * 4 ("Acks"), with no Pekko and no server policy in it.
 */
package org.kaiku.protocol.ext.sm;
