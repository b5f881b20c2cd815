package org.kaiku.engine.tls;

import java.io.IOException;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.ChannelBinding;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.kaiku.protocol.sasl.ChannelBindings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of one TLS handshake: TLS 1.3 and 1.2 only (RFC 8996 retired the older
 * ones), AEAD suites with ephemeral key exchange, the certificate of {@link TlsMaterial} signed
 * with a scheme the client offered. When the handshake completes it exports the tls-exporter
 * channel binding (RFC 9266) at once, because Bouncy Castle forgets the exporter secret right
 * after {@link #notifyHandshakeComplete}; SCRAM-*-PLUS asks for it only later.
 *
 * <p>tls-exporter is taken on TLS 1.3 only. On TLS 1.2 RFC 9266 asks for an "empty context",
 * which RFC 5705's 1.2 exporter distinguishes from no context, and the two camps disagree:
 * Bouncy Castle mixes in a zero length, OpenSSL's callers (and so most XMPP clients and servers)
 * pass no context at all; checked here against {@code openssl s_client -keymatexport}, whose
 * value differs from ours on 1.2 and matches on 1.3. A binding that half the clients compute
 * differently would only fail their logins, so 1.2 connections offer tls-server-end-point alone.
 */
final class C2sTlsServer extends DefaultTlsServer {
    private static final Logger log = LoggerFactory.getLogger(C2sTlsServer.class);

    private final TlsMaterial material;
    private volatile TlsHandshake handshake;

    C2sTlsServer(TlsMaterial material) {
        super(material.crypto());
        this.material = material;
    }

    TlsHandshake handshake() {
        return handshake;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12);
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return material.cipherSuites();
    }

    @Override
    public TlsCredentials getCredentials() throws IOException {
        SecurityParameters params = context.getSecurityParametersHandshake();
        boolean tls13 = TlsUtils.isTLSv13(params.getNegotiatedVersion());
        SignatureAndHashAlgorithm scheme = material.signatureScheme(clientSchemes(params), tls13);
        if (scheme == null) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "no signature scheme in common with the client");
        }
        Certificate certificate;
        TlsCertificate[] chain = material.chain();
        if (tls13) {
            CertificateEntry[] entries = new CertificateEntry[chain.length];
            for (int i = 0; i < chain.length; i++) {
                entries[i] = new CertificateEntry(chain[i], null);
            }
            certificate = new Certificate(TlsUtils.EMPTY_BYTES, entries);
        } else {
            certificate = new Certificate(chain);
        }
        return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), material.crypto(),
                material.privateKey(), certificate, scheme);
    }

    @SuppressWarnings("unchecked")
    private static List<SignatureAndHashAlgorithm> clientSchemes(SecurityParameters params) {
        Vector<SignatureAndHashAlgorithm> offered = params.getClientSigAlgs();
        return offered == null ? null : List.copyOf(offered);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        SecurityParameters params = context.getSecurityParametersConnection();
        ProtocolVersion version = params.getNegotiatedVersion();
        boolean tls13 = TlsUtils.isTLSv13(version);
        org.kaiku.protocol.sasl.ChannelBinding exporter = null;
        if (tls13) {
            byte[] data = context.exportChannelBinding(ChannelBinding.tls_exporter);
            if (data != null) {
                exporter = new org.kaiku.protocol.sasl.ChannelBinding(ChannelBindings.TLS_EXPORTER, data);
            }
        }
        handshake = new TlsHandshake(tls13 ? "TLSv1.3" : "TLSv1.2", TlsMaterial.suiteName(params.getCipherSuite()), exporter);
    }

    @Override
    public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
        if (level == AlertLevel.fatal && log.isDebugEnabled()) {
            log.debug("TLS alert sent: {} ({})", AlertDescription.getText(description), message, cause);
        }
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
        if (level == AlertLevel.fatal && log.isDebugEnabled()) {
            log.debug("TLS alert received: {}", AlertDescription.getText(description));
        }
    }
}
