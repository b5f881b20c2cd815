package org.kaiku.engine.testing;

import java.io.IOException;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.util.XmlStringBuilder;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * Parses the XEP-0153 {@code <x xmlns='vcard-temp:x:update'/>} presence element for the test
 * clients, which Smack has no provider for.
 *
 * <p>COMPAT(smack 4.5.0-beta5): without a provider Smack parses an unknown extension with its
 * StandardExtensionElementProvider, which asserts that every declared namespace prefix is null
 * or non-empty; the StAX parser on the test class path (Aalto, which the server uses) reports
 * the default namespace's prefix as "", so with assertions on (as surefire runs tests) the
 * client's reader thread dies on the first presence carrying the element. Real clients run
 * without -ea and never see this.
 */
public final class VCardUpdateProvider extends ExtensionElementProvider<VCardUpdateProvider.Update> {
    public static final String NAMESPACE = "vcard-temp:x:update";

    /** The element: {@code photo} is null without a photo child, "" for an empty one. */
    public record Update(String photo) implements ExtensionElement {
        public static final javax.xml.namespace.QName QNAME = new javax.xml.namespace.QName(NAMESPACE, "x");

        @Override
        public String getNamespace() {
            return NAMESPACE;
        }

        @Override
        public String getElementName() {
            return "x";
        }

        @Override
        public CharSequence toXML(XmlEnvironment env) {
            XmlStringBuilder xml = new XmlStringBuilder(this, env).rightAngleBracket();
            if (photo != null) {
                xml.element("photo", photo);
            }
            return xml.closeElement(this);
        }
    }

    @Override
    public Update parse(XmlPullParser parser, int initialDepth, XmlEnvironment env) throws XmlPullParserException, IOException {
        String photo = null;
        while (true) {
            XmlPullParser.Event event = parser.next();
            if (event == XmlPullParser.Event.START_ELEMENT && "photo".equals(parser.getName())) {
                photo = parser.nextText().trim();
            } else if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                return new Update(photo);
            }
        }
    }
}
