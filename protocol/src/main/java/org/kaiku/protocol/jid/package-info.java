/**
 * XMPP addresses (RFC 7622): parsing, PRECIS preparation of each part (RFC 8264/8265) and the
 * canonical string form used as the routing and storage key everywhere in Kaiku.
 */
package org.kaiku.protocol.jid;
