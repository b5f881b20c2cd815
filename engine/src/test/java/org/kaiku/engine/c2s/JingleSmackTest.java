package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.xml.namespace.QName;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.debugger.SmackDebugger;
import org.jivesoftware.smack.packet.TopLevelStreamElement;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jxmpp.jid.EntityFullJid;
import org.jivesoftware.smackx.mam.MamManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * Jingle (XEP-0166) signalling and Jingle Message Initiation (XEP-0353 0.8.0,
 * {@code urn:xmpp:jingle-message:0}) through the server, with Smack sending raw stanzas: every
 * Jingle action between full JIDs reaches the other client unchanged and its result comes back;
 * a Jingle IQ to a full JID with no such resource, of an offline or of a missing account, gets
 * service-unavailable (RFC 6121 sections 8.5.3.2.3 and 8.5.1). A {@code <propose/>} to a bare JID
 * (type chat, XEP-0334 store hint, as XEP-0353 section 3 requires) reaches every available
 * resource of equal priority, is kept offline for a user who is away and delivered when she comes
 * back, and is in both users' archives (XEP-0313) although it has no body.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JingleSmackTest {
    private static final String JINGLE = "urn:xmpp:jingle:1";
    private static final String JMI = "urn:xmpp:jingle-message:0";
    @TempDir
    static Path dataDir;
    private EngineNode node;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of());
        for (String u : List.of("romeo", "juliet", "rosaline")) {
            node.addUser(u + "@localhost", u + "-secret");
        }
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    /** An iq set whose child is {@code <jingle xmlns='urn:xmpp:jingle:1' ...>} with the given inner XML. */
    private static final class RawJingle extends IQ {
        private final String action;
        private final String sid;
        private final String inner;

        RawJingle(Jid to, String action, String sid, String inner) {
            super("jingle", JINGLE);
            this.action = action;
            this.sid = sid;
            this.inner = inner;
            setType(Type.set);
            setTo(to);
        }

        @Override
        protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
            xml.attribute("action", action).attribute("sid", sid);
            if (inner.isEmpty()) {
                xml.setEmptyElement();
            } else {
                xml.rightAngleBracket().append(inner);
            }
            return xml;
        }

        String childXml() {
            return getChildElementXML().toString();
        }
    }

    private static final String CONTENT = "<content creator='initiator' name='voice'>"
            + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='111' name='opus' clockrate='48000' channels='2'/></description>"
            + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' pwd='asd88fgpdd777uzjYhagZg' ufrag='8hhy'/></content>";

    @Test
    void jingleActionsPassUnchangedAndUnreachableResourcesGetServiceUnavailable() throws Exception {
        XMPPTCPConnection romeo = node.smack("romeo", "romeo-secret", "orchard");
        // juliet's client records the raw text the server wrote to it (Smack's own re-serialization
        // of an unknown payload drops nested xmlns declarations, so it cannot show "unchanged")
        StringBuffer wire = new StringBuffer();
        XMPPTCPConnection juliet = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain("localhost")
                .setHostAddress(InetAddress.getByName("127.0.0.1"))
                .setPort(node.engine.c2sPort())
                .setUsernameAndPassword("juliet", "juliet-secret")
                .setResource("balcony")
                .setSecurityMode(ConnectionConfiguration.SecurityMode.required)
                .setCustomX509TrustManager(node.trust())
                .setDebuggerFactory(c -> new WireTap(c, wire))
                .build());
        juliet.setReplyTimeout(20_000);
        try {
            juliet.registerIQRequestHandler(new AbstractIqRequestHandler("jingle", JINGLE, IQ.Type.set, IQRequestHandler.Mode.sync) {
                @Override
                public IQ handleIQRequest(IQ iq) {
                    return IQ.createResultIQ(iq);
                }
            });
            romeo.connect().login();
            juliet.connect().login();
            Jid julietFull = juliet.getUser();
            String sid = "a73sjjvkla37jfea";
            List<RawJingle> actions = List.of(
                    new RawJingle(julietFull, "session-initiate", sid, CONTENT),
                    new RawJingle(julietFull, "session-info", sid, "<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>"),
                    new RawJingle(julietFull, "transport-info", sid, "<content creator='initiator' name='voice'>"
                            + "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' pwd='asd88fgpdd777uzjYhagZg' ufrag='8hhy'>"
                            + "<candidate component='1' foundation='1' generation='0' id='el0747fg11' ip='10.0.1.1' network='1'"
                            + " port='8998' priority='2130706431' protocol='udp' type='host'/></transport></content>"),
                    new RawJingle(julietFull, "session-accept", sid, CONTENT),
                    new RawJingle(julietFull, "session-terminate", sid, "<reason><success/></reason>"));
            for (RawJingle action : actions) {
                IQ answer = romeo.sendIqRequestAndWaitForResponse(action);
                assertThat(answer.getType()).isEqualTo(IQ.Type.result);
                assertThat((Object) answer.getFrom()).isEqualTo(julietFull);
            }
            List<String> received = jingleElements(wire.toString());
            assertThat(received).hasSize(actions.size());
            for (int i = 0; i < actions.size(); i++) {
                assertThat(XmlDocument.read(received.get(i))).isEqualTo(XmlDocument.read(actions.get(i).childXml()));
            }
            // RFC 6121 section 8.5.3.2.3: no such resource (the account online elsewhere, or offline), and 8.5.1: no account
            for (String to : List.of("juliet@localhost/elsewhere", "rosaline@localhost/gone", "tybalt@localhost/sword")) {
                StanzaError.Condition c = XmppTestClients.errorCondition(() -> romeo.sendIqRequestAndWaitForResponse(
                        new RawJingle(JidCreate.from(to), "session-initiate", "s2", CONTENT)));
                assertThat(c).as(to).isEqualTo(StanzaError.Condition.service_unavailable);
            }
        } finally {
            romeo.disconnect();
            juliet.disconnect();
        }
    }

    /** The {@code <jingle>} elements in the raw text a client read. */
    private static List<String> jingleElements(String wire) {
        List<String> out = new ArrayList<>();
        for (int at = wire.indexOf("<jingle "); at >= 0; at = wire.indexOf("<jingle ", at + 1)) {
            int selfClose = wire.indexOf("/>", at);
            int open = wire.indexOf(">", at);
            int end = open == selfClose + 1 ? selfClose + 2 : wire.indexOf("</jingle>", at) + "</jingle>".length();
            // Smack's debugger pretty-prints what it read: drop the indentation it added
            out.add(wire.substring(at, end).replaceAll(">\\s+<", "><"));
        }
        return out;
    }

    /** A Smack debugger that keeps what the connection read. */
    private static final class WireTap extends SmackDebugger {
        private final StringBuffer read;

        WireTap(XMPPConnection connection, StringBuffer read) {
            super(connection);
            this.read = read;
        }

        @Override
        public void userHasLogged(EntityFullJid user) {
        }

        @Override
        public void outgoingStreamSink(CharSequence out) {
        }

        @Override
        public void incomingStreamSink(CharSequence in) {
            read.append(in);
        }

        @Override
        public void onIncomingStreamElement(TopLevelStreamElement element) {
        }

        @Override
        public void onOutgoingStreamElement(TopLevelStreamElement element) {
        }
    }

    private static Message propose(XMPPTCPConnection from, BareJid to, String id) {
        return from.getStanzaFactory().buildMessageStanza().to(to).ofType(Message.Type.chat)
                .addExtension(StandardExtensionElement.builder("propose", JMI).addAttribute("id", id)
                        .addElement(StandardExtensionElement.builder("description", "urn:xmpp:jingle:apps:rtp:1")
                                .addAttribute("media", "audio").build())
                        .build())
                .addExtension(StandardExtensionElement.builder("store", "urn:xmpp:hints").build())
                .build();
    }

    private static boolean proposes(Message m, String id) {
        StandardExtensionElement p = (StandardExtensionElement) m.getExtension(new QName(JMI, "propose"));
        return p != null && id.equals(p.getAttributeValue("id"));
    }

    @Test
    void aProposeReachesEveryResourceIsKeptOfflineAndArchived() throws Exception {
        XMPPTCPConnection romeo = node.smack("romeo", "romeo-secret", "car");
        XMPPTCPConnection phone = node.smack("juliet", "juliet-secret", "phone");
        XMPPTCPConnection laptop = node.smack("juliet", "juliet-secret", "laptop");
        List<Message> phoneGot = Collections.synchronizedList(new ArrayList<>());
        List<Message> laptopGot = Collections.synchronizedList(new ArrayList<>());
        phone.addSyncStanzaListener(st -> phoneGot.add((Message) st), MessageTypeFilter.CHAT);
        laptop.addSyncStanzaListener(st -> laptopGot.add((Message) st), MessageTypeFilter.CHAT);
        BareJid julietJid = JidCreate.bareFrom("juliet@localhost");
        BareJid rosalineJid = JidCreate.bareFrom("rosaline@localhost");
        BareJid romeoJid = JidCreate.bareFrom("romeo@localhost");
        try {
            romeo.connect().login();
            phone.connect().login();
            laptop.connect().login();
            romeo.sendStanza(propose(romeo, julietJid, "ca3cf894-5325-482f-a412-a6e9f832298d"));
            XmppTestClients.await("the propose on both of juliet's devices",
                    () -> phoneGot.stream().anyMatch(m -> proposes(m, "ca3cf894-5325-482f-a412-a6e9f832298d"))
                            && laptopGot.stream().anyMatch(m -> proposes(m, "ca3cf894-5325-482f-a412-a6e9f832298d")));

            // rosaline is offline: the propose waits for her
            romeo.sendStanza(propose(romeo, rosalineJid, "0c3e4e2b-9d5c-4d0b-9e6f-5b1f2b6f3c11"));
            MamManager romeoMam = MamManager.getInstanceFor(romeo);
            assertThat(romeoMam.isSupported()).isTrue();
            XmppTestClients.await("romeo's archive", () -> archived(romeoMam, rosalineJid, "0c3e4e2b-9d5c-4d0b-9e6f-5b1f2b6f3c11"));
        } finally {
            phone.disconnect();
            laptop.disconnect();
        }
        XMPPTCPConnection rosaline = node.smack("rosaline", "rosaline-secret", "tablet");
        List<Message> rosalineGot = Collections.synchronizedList(new ArrayList<>());
        rosaline.addSyncStanzaListener(st -> rosalineGot.add((Message) st), MessageTypeFilter.CHAT);
        try {
            rosaline.connect().login();
            XmppTestClients.await("the stored propose",
                    () -> rosalineGot.stream().anyMatch(m -> proposes(m, "0c3e4e2b-9d5c-4d0b-9e6f-5b1f2b6f3c11")));
            MamManager mam = MamManager.getInstanceFor(rosaline);
            assertThat(mam.isSupported()).isTrue();
            XmppTestClients.await("rosaline's archive", () -> archived(mam, romeoJid, "0c3e4e2b-9d5c-4d0b-9e6f-5b1f2b6f3c11"));
        } finally {
            rosaline.disconnect();
            romeo.disconnect();
        }
    }

    private static boolean archived(MamManager mam, BareJid with, String id) {
        try {
            return mam.queryArchive(MamManager.MamQueryArgs.builder().limitResultsToJid(with).build())
                    .getMessages().stream().anyMatch(m -> proposes(m, id));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
