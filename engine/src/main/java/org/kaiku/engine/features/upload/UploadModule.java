package org.kaiku.engine.features.upload;

import java.nio.file.Path;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.engine.upload.UploadSettings;

/**
 * XEP-0363 HTTP File Upload, version 1.2.0: what the upload service adds to the server's own
 * answers, its domain as an item of disco#items (section 2: clients find the service there). The
 * service itself lives in {@link org.kaiku.engine.upload}: slots over XMPP, HTTPS on pekko-http,
 * files in a {@link org.kaiku.engine.upload.FileStore}.
 */
@Xep(number = 363, version = "1.2.0", status = Xep.Status.COMPLETE,
        note = "local file store per node; purposes of section 6 are ignored (every file expires after kaiku.upload.expire-after)")
public final class UploadModule implements XmppModule {
    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        UploadSettings settings = UploadSettings.fromConfig(ctx.config(), ctx.domain(),
                Path.of(ctx.config().getString("kaiku.data-dir")));
        ModuleRegistration.Builder b = ModuleRegistration.builder();
        if (settings.enabled()) {
            b.item(settings.domain());
        }
        return b.build();
    }
}
