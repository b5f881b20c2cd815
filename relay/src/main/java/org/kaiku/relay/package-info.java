/**
 * The media relay (issue 9): its own actor system, STUN (RFC 8489) and TURN over UDP (RFC 8656)
 * with ice4j's message and attribute codecs. The server side (allocations, permissions, channels,
 * credentials) is in {@code org.kaiku.relay.turn}. TURN over TCP/TLS and the SOCKS5 proxy
 * (XEP-0065) are not here yet.
 */
package org.kaiku.relay;
