package org.kaiku.engine.tls;

import org.kaiku.protocol.sasl.ChannelBinding;

/**
 * What one finished TLS handshake settled, as the stream layer needs it.
 *
 * @param protocol    "TLSv1.3" or "TLSv1.2"
 * @param cipherSuite the IANA name of the negotiated suite
 * @param exporter    the tls-exporter channel binding (RFC 9266): 32 bytes exported with the
 *                    label "EXPORTER-Channel-Binding" and an empty context, taken while the
 *                    handshake completes; null on TLS 1.2 (see {@link C2sTlsServer} for why)
 */
public record TlsHandshake(String protocol, String cipherSuite, ChannelBinding exporter) {
}
