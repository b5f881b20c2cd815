/**
 * The restricted XML of RFC 6120 section 11: an immutable element model, its escaping writer and
 * the incremental, limit-enforcing decoder of an inbound XML stream (sections 4 and 13.12).
 */
package org.kaiku.protocol.xml;
