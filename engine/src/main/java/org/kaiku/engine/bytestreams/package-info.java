/**
 * XEP-0065 SOCKS5 Bytestreams, the proxy's XMPP side at {@code proxy.DOMAIN}: disco, the
 * streamhost query and activation. The TCP side lives in the relay's actor system (deploy/ joins
 * them through {@link org.kaiku.engine.bytestreams.BytestreamsProxy}).
 */
package org.kaiku.engine.bytestreams;
