/**
 * The media relay (issue 9): its own actor system, STUN (RFC 8489) on UDP with ice4j's message
 * codecs. TURN allocations, XEP-0215 discovery and the SOCKS5 proxy come next.
 */
package org.kaiku.relay;
