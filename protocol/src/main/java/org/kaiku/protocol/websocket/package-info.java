/**
 * RFC 7395, An Extensible Messaging and Presence Protocol (XMPP) Subprotocol for WebSocket: the
 * framing of an XMPP stream in WebSocket text messages, one complete XML element per message,
 * {@code <open/>} and {@code <close/>} in {@code urn:ietf:params:xml:ns:xmpp-framing} in place of
 * the stream root's start and end tags (sections 3.3 to 3.7).
 */
package org.kaiku.protocol.websocket;
