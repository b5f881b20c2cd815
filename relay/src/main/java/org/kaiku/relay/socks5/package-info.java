/**
 * XEP-0065 SOCKS5 Bytestreams, the proxy's network side (section 6, mediated connection): a TCP
 * listener speaking the CONNECT subset of RFC 1928 that XEP-0065 section 8.2 maps, which pairs the
 * two connections naming the same {@code SHA1(SID + Requester JID + Target JID)} and relays bytes
 * between them once the requester has activated the stream over XMPP (the engine's proxy service
 * calls {@link org.kaiku.relay.socks5.Socks5Proxy#activate}).
 */
package org.kaiku.relay.socks5;
