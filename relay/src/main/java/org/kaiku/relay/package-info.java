/**
 * The media relay (issue 9): its own actor system, STUN (RFC 8489) and TURN (RFC 8656) over UDP
 * and, client to server, over TCP, with ice4j's message and attribute codecs. The server side
 * (allocations, permissions, channels, credentials) is in {@code org.kaiku.relay.turn}; the
 * XEP-0065 SOCKS5 bytestreams proxy in {@code org.kaiku.relay.socks5}. TURN over TLS is not here yet.
 */
package org.kaiku.relay;
