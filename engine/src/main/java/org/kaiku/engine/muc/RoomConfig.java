package org.kaiku.engine.muc;

import java.util.ArrayList;
import java.util.List;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.ext.muc.Muc;
import org.kaiku.protocol.ext.xdata.DataForm;

/**
 * A room's configuration, the fields of the muc#roomconfig form (XEP-0045 sections 10.2 and
 * 15.5.3) this service supports. Journaled as a whole with each change.
 *
 * @param whoisAnyone  true: every occupant sees real JIDs (non-anonymous room); false: only
 *                     moderators do (semi-anonymous)
 * @param allowPm      who may send private messages: anyone, participants, moderators or none
 */
public record RoomConfig(String name, String description, boolean persistent, boolean isPublic, boolean membersOnly,
                         boolean moderated, boolean passwordProtected, String password, boolean whoisAnyone,
                         int maxUsers, boolean changeSubject, boolean allowInvites, String allowPm)
        implements CborSerializable {

    private static final String P = "muc#roomconfig_";
    private static final List<String> PM = List.of("anyone", "participants", "moderators", "none");

    /** The configuration of a new room (also the result of an instant-room submit, section 10.1.2). */
    public static RoomConfig defaults(int maxUsers) {
        return new RoomConfig("", "", false, true, false, false, false, "", false, maxUsers, false, false, "anyone");
    }

    /** The form an owner is sent (section 10.2), filled with this configuration. */
    public DataForm form(int maxOccupants) {
        List<DataForm.Field> f = new ArrayList<>();
        f.add(DataForm.Field.of(DataForm.FORM_TYPE, "hidden", Muc.ROOMCONFIG));
        f.add(field("roomname", "text-single", "Natural-language room name", name));
        f.add(field("roomdesc", "text-single", "Short description of the room", description));
        f.add(bool("persistentroom", "Make room persistent", persistent));
        f.add(bool("publicroom", "Make room publicly searchable", isPublic));
        f.add(bool("membersonly", "Make room members-only", membersOnly));
        f.add(bool("moderatedroom", "Make room moderated", moderated));
        f.add(bool("passwordprotectedroom", "Password required to enter", passwordProtected));
        f.add(field("roomsecret", "text-private", "Password", password));
        f.add(list("whois", "Who may discover real JIDs", whoisAnyone ? "anyone" : "moderators",
                List.of(new DataForm.Option("Moderators only", "moderators"), new DataForm.Option("Anyone", "anyone"))));
        List<DataForm.Option> sizes = new ArrayList<>();
        for (int n : new int[] {10, 20, 30, 50, 100, 200, 500, 1000}) {
            if (n < maxOccupants) {
                sizes.add(new DataForm.Option(null, Integer.toString(n)));
            }
        }
        sizes.add(new DataForm.Option(null, Integer.toString(maxOccupants)));
        f.add(list("maxusers", "Maximum number of occupants", Integer.toString(maxUsers), sizes));
        f.add(bool("changesubject", "Allow occupants to change the subject", changeSubject));
        f.add(bool("allowinvites", "Allow occupants to invite others", allowInvites));
        List<DataForm.Option> pm = new ArrayList<>();
        PM.forEach(v -> pm.add(new DataForm.Option(null, v)));
        f.add(list("allowpm", "Who may send private messages", allowPm, pm));
        return new DataForm("form", "Configuration of the room", List.of("Complete this form to configure the room."), f);
    }

    /**
     * This configuration with a submitted form applied (fields left out keep their value).
     *
     * @throws IllegalArgumentException with the problems when the form does not answer {@link #form}
     */
    public RoomConfig apply(DataForm submitted, int maxOccupants) {
        // maxusers offers a few sizes, but any number up to the service's maximum is taken (a
        // larger one is lowered to it): owners and clients such as Smack's tests ask for exact sizes
        DataForm blank = form(maxOccupants);
        List<DataForm.Field> fields = new ArrayList<>();
        for (DataForm.Field f : blank.fields()) {
            fields.add((P + "maxusers").equals(f.var())
                    ? new DataForm.Field(f.var(), "text-single", f.label(), f.required(), f.values(), List.of(), f.validate())
                    : f);
        }
        List<String> problems = new DataForm(blank.type(), blank.title(), blank.instructions(), fields).problems(submitted);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        String secret = text(submitted, "roomsecret", password);
        boolean protectedRoom = flag(submitted, "passwordprotectedroom", passwordProtected);
        if (protectedRoom && secret.isEmpty()) {
            throw new IllegalArgumentException("a password-protected room needs muc#roomconfig_roomsecret");
        }
        int max;
        try {
            max = Integer.parseInt(text(submitted, "maxusers", Integer.toString(maxUsers)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("muc#roomconfig_maxusers is not a number");
        }
        if (max < 1) {
            throw new IllegalArgumentException("muc#roomconfig_maxusers must be at least 1");
        }
        return new RoomConfig(text(submitted, "roomname", name), text(submitted, "roomdesc", description),
                flag(submitted, "persistentroom", persistent), flag(submitted, "publicroom", isPublic),
                flag(submitted, "membersonly", membersOnly), flag(submitted, "moderatedroom", moderated),
                protectedRoom, protectedRoom ? secret : "",
                "anyone".equals(text(submitted, "whois", whoisAnyone ? "anyone" : "moderators")),
                Math.max(1, Math.min(max, maxOccupants)), flag(submitted, "changesubject", changeSubject),
                flag(submitted, "allowinvites", allowInvites), text(submitted, "allowpm", allowPm));
    }

    private static String text(DataForm form, String var, String current) {
        return form.field(P + var).map(DataForm.Field::value).map(v -> v == null ? "" : v).orElse(current);
    }

    private static boolean flag(DataForm form, String var, boolean current) {
        return form.field(P + var).map(DataForm.Field::value).map(v -> "1".equals(v) || "true".equals(v)).orElse(current);
    }

    private static DataForm.Field field(String var, String type, String label, String value) {
        return new DataForm.Field(P + var, type, label, false, value == null || value.isEmpty() ? List.of() : List.of(value),
                List.of(), null);
    }

    private static DataForm.Field bool(String var, String label, boolean value) {
        return new DataForm.Field(P + var, "boolean", label, false, List.of(value ? "1" : "0"), List.of(), null);
    }

    private static DataForm.Field list(String var, String label, String value, List<DataForm.Option> options) {
        return new DataForm.Field(P + var, "list-single", label, false, List.of(value), options, null);
    }
}
