/// The bundled provider table as config-v1.1 XML, parsed at first use by the same
/// ``AutoconfigReader`` as online files.
///
/// Package.swift declares no resources, so the data lives in this string literal. Each
/// `clientConfig` is one provider; `domain purpose="mx"` lists MX host domains that identify
/// the provider for custom domains; MailLink's own `<hints>` element
/// (ignored by other config-v1.1 readers, as the format requires for unknown elements) carries
/// app-password, OAuth-only and POP-unavailable facts, `oAuth2` the authorization server, scopes
/// per protocol and SASL form (``ProviderOAuth``; endpoints and scopes only, never a client id),
/// and `pop3/checkInterval` the minimum poll interval. Sources: Thunderbird ISPDB (HEAD c6ad796, 2026-03) and Delta Chat provider-db
/// (5c14381, 2024-11), as summarised in the reference; last verified from those sources 2026-03.
enum BundledProviders {
    /// The table.
    static let xml = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <providers lastVerified="2026-03-12">
        <clientConfig version="1.1"><emailProvider id="gmail.com">
          <domain>gmail.com</domain><domain>googlemail.com</domain><domain>google.com</domain>
          <domain purpose="mx">google.com</domain><domain purpose="mx">googlemail.com</domain>
          <displayName>Google Mail</displayName>
          <incomingServer type="pop3"><hostname>pop.gmail.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication><pop3><leaveMessagesOnServer>true</leaveMessagesOnServer></pop3></incomingServer>
          <incomingServer type="imap"><hostname>imap.gmail.com</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.gmail.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></outgoingServer>
          <enable visiturl="https://mail.google.com/mail/?ui=2&amp;shva=1#settings/fwdandpop"><instruction lang="en">Open Settings, Forwarding and POP/IMAP, and enable POP.</instruction></enable>
          <hints appPassword="true" appPasswordURL="https://myaccount.google.com/apppasswords">A normal password is refused: use OAuth or an app password (needs 2-Step Verification).</hints>
          <oAuth2 mechanisms="XOAUTH2 OAUTHBEARER" username="%EMAILADDRESS%"><issuer>https://accounts.google.com</issuer><scope>https://mail.google.com/</scope><authURL>https://accounts.google.com/o/oauth2/v2/auth</authURL><tokenURL>https://oauth2.googleapis.com/token</tokenURL><deviceURL>https://oauth2.googleapis.com/device/code</deviceURL></oAuth2>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="outlook.com">
          <domain>outlook.com</domain><domain>hotmail.com</domain><domain>live.com</domain><domain>msn.com</domain><domain>windowslive.com</domain>
          <domain>hotmail.co.uk</domain><domain>hotmail.fr</domain><domain>hotmail.de</domain><domain>hotmail.it</domain><domain>hotmail.es</domain>
          <domain>live.de</domain><domain>live.fr</domain><domain>live.co.uk</domain><domain>live.it</domain><domain>outlook.fr</domain><domain>outlook.de</domain><domain>outlook.es</domain><domain>outlook.it</domain>
          <domain purpose="mx">olc.protection.outlook.com</domain>
          <displayName>Outlook.com</displayName>
          <incomingServer type="pop3"><hostname>outlook.office365.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></incomingServer>
          <incomingServer type="imap"><hostname>outlook.office365.com</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp-mail.outlook.com</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></outgoingServer>
          <enable visiturl="https://outlook.live.com/mail/0/options/mail/forwarding"><instruction lang="en">In Outlook.com settings, Mail, Forwarding and IMAP, turn on "Let devices and apps use POP".</instruction></enable>
          <hints oauthOnly="true">Personal Microsoft accounts accept only OAuth 2.0 since 16 September 2024.</hints>
          <oAuth2 required="true" mechanisms="XOAUTH2" pop3Form="two-step" username="%EMAILADDRESS%"><issuer>https://login.microsoftonline.com/consumers/v2.0</issuer><scope protocol="pop3">https://outlook.office.com/POP.AccessAsUser.All</scope><scope protocol="imap">https://outlook.office.com/IMAP.AccessAsUser.All</scope><scope protocol="smtp">https://outlook.office.com/SMTP.Send</scope><scope>offline_access</scope><authURL>https://login.microsoftonline.com/consumers/oauth2/v2.0/authorize</authURL><tokenURL>https://login.microsoftonline.com/consumers/oauth2/v2.0/token</tokenURL><deviceURL>https://login.microsoftonline.com/consumers/oauth2/v2.0/devicecode</deviceURL></oAuth2>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="office365.com">
          <domain>office365.com</domain><domain purpose="mx">mail.protection.outlook.com</domain>
          <displayName>Microsoft 365</displayName>
          <incomingServer type="pop3"><hostname>outlook.office365.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.office365.com</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication></outgoingServer>
          <hints oauthOnly="true">Microsoft 365 mailboxes need OAuth 2.0 and POP enabled by the administrator.</hints>
          <oAuth2 required="true" mechanisms="XOAUTH2" pop3Form="two-step" username="%EMAILADDRESS%"><issuer>https://login.microsoftonline.com/organizations/v2.0</issuer><scope protocol="pop3">https://outlook.office.com/POP.AccessAsUser.All</scope><scope protocol="imap">https://outlook.office.com/IMAP.AccessAsUser.All</scope><scope protocol="smtp">https://outlook.office.com/SMTP.Send</scope><scope>offline_access</scope><authURL>https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize</authURL><tokenURL>https://login.microsoftonline.com/organizations/oauth2/v2.0/token</tokenURL><deviceURL>https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode</deviceURL></oAuth2>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="yahoo.com">
          <domain>yahoo.com</domain><domain>yahoo.ca</domain><domain>yahoo.de</domain><domain>yahoo.it</domain><domain>yahoo.fr</domain><domain>yahoo.es</domain><domain>yahoo.se</domain>
          <domain>yahoo.co.uk</domain><domain>yahoo.co.in</domain><domain>yahoo.co.nz</domain><domain>yahoo.com.au</domain><domain>yahoo.com.ar</domain><domain>yahoo.com.br</domain><domain>yahoo.com.mx</domain>
          <domain>ymail.com</domain><domain>myyahoo.com</domain><domain>rocketmail.com</domain>
          <domain purpose="mx">yahoodns.net</domain><domain purpose="mx">am0.yahoodns.net</domain>
          <displayName>Yahoo! Mail</displayName>
          <incomingServer type="pop3"><hostname>pop.mail.yahoo.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></incomingServer>
          <incomingServer type="imap"><hostname>imap.mail.yahoo.com</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.mail.yahoo.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></outgoingServer>
          <outgoingServer type="smtp"><hostname>smtp.mail.yahoo.com</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <hints appPassword="true" appPasswordURL="https://login.yahoo.com/account/security">Generate an app password under Account security; POP for free accounts is unverified.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="aol.com">
          <domain>aol.com</domain><domain>aim.com</domain><domain>netscape.net</domain><domain>netscape.com</domain><domain>compuserve.com</domain><domain>cs.com</domain><domain>wmconnect.com</domain>
          <domain>aol.de</domain><domain>aol.it</domain><domain>aol.fr</domain><domain>aol.es</domain><domain>aol.se</domain><domain>aol.co.uk</domain><domain>aol.co.nz</domain><domain>aol.com.au</domain><domain>aol.com.ar</domain><domain>aol.com.br</domain><domain>aol.com.mx</domain>
          <domain purpose="mx">mail.gm0.yahoodns.net</domain>
          <displayName>AOL Mail</displayName>
          <incomingServer type="pop3"><hostname>pop.aol.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></incomingServer>
          <incomingServer type="imap"><hostname>imap.aol.com</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.aol.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></outgoingServer>
          <hints appPassword="true" appPasswordURL="https://login.aol.com/account/security">Generate an app password in the AOL account security settings.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="icloud.com">
          <domain>icloud.com</domain><domain>me.com</domain><domain>mac.com</domain><domain purpose="mx">mail.icloud.com</domain>
          <displayName>iCloud Mail</displayName>
          <incomingServer type="imap"><hostname>imap.mail.me.com</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.mail.me.com</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <hints appPassword="true" popUnavailable="true" appPasswordURL="https://appleid.apple.com">iCloud offers no POP3 (IMAP only); an app-specific password is required.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="yandex.ru">
          <domain>yandex.ru</domain><domain>yandex.com</domain><domain>yandex.net</domain><domain>yandex.by</domain><domain>yandex.kz</domain><domain>yandex.ua</domain><domain>ya.ru</domain><domain>narod.ru</domain>
          <domain purpose="mx">yandex.ru</domain><domain purpose="mx">yandex.net</domain>
          <displayName>Yandex Mail</displayName>
          <incomingServer type="pop3"><hostname>pop.yandex.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <incomingServer type="imap"><hostname>imap.yandex.com</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.yandex.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <enable visiturl="http://mail.yandex.ru/neo/setup_client"><instruction lang="en">In Yandex Mail settings, Email clients, allow access and tick POP3.</instruction></enable>
          <hints appPassword="true" appPasswordURL="https://id.yandex.com/security/app-passwords">Yandex requires a separate app password for each mail program.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="mail.ru">
          <domain>mail.ru</domain><domain>inbox.ru</domain><domain>list.ru</domain><domain>bk.ru</domain><domain>internet.ru</domain><domain>corp.mail.ru</domain><domain purpose="mx">mail.ru</domain>
          <displayName>Mail.Ru</displayName>
          <incomingServer type="pop3"><hostname>pop.mail.ru</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <incomingServer type="pop3"><hostname>pop.mail.ru</hostname><port>110</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.mail.ru</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <outgoingServer type="smtp"><hostname>smtp.mail.ru</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <hints appPassword="true" appPasswordURL="https://help.mail.ru/mail/security/protection/external">Create a "password for external application".</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="rambler.ru">
          <domain>rambler.ru</domain><domain>autorambler.ru</domain><domain>myrambler.ru</domain><domain>rambler.ua</domain><domain>lenta.ru</domain><domain>ro.ru</domain><domain>r0.ru</domain>
          <displayName>Rambler</displayName>
          <incomingServer type="pop3"><hostname>pop.rambler.ru</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.rambler.ru</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <enable visiturl="https://mail.rambler.ru/settings/mailapps"><instruction lang="en">Enable access via mail clients in the Rambler mail settings.</instruction></enable>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="gmx.net">
          <domain>gmx.net</domain><domain>gmx.de</domain><domain>gmx.at</domain><domain>gmx.ch</domain><domain>gmx.eu</domain><domain>gmx.biz</domain><domain>gmx.org</domain><domain>gmx.info</domain>
          <domain purpose="mx">gmx.net</domain>
          <displayName>GMX Freemail</displayName>
          <incomingServer type="pop3"><hostname>pop.gmx.net</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <incomingServer type="pop3"><hostname>pop.gmx.net</hostname><port>110</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>mail.gmx.net</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <outgoingServer type="smtp"><hostname>mail.gmx.net</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <enable visiturl="https://hilfe.gmx.net/pop-imap/einschalten.html"><instruction lang="de">POP3/IMAP-Abruf einmalig in den Einstellungen erlauben.</instruction></enable>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="gmx.com">
          <domain>gmx.com</domain><domain>gmx.us</domain><domain>gmx.co.uk</domain><domain>gmx.fr</domain><domain>gmx.es</domain><domain>gmx.it</domain><domain>gmx.ca</domain>
          <domain>gmx.co.in</domain><domain>gmx.com.br</domain><domain>gmx.ie</domain><domain>gmx.pt</domain><domain>gmx.ru</domain><domain>gmx.se</domain><domain>gmx.sg</domain>
          <displayName>GMX.com</displayName>
          <incomingServer type="pop3"><hostname>pop.gmx.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <incomingServer type="pop3"><hostname>pop.gmx.com</hostname><port>110</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>mail.gmx.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <outgoingServer type="smtp"><hostname>mail.gmx.com</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="web.de">
          <domain>web.de</domain><domain>email.de</domain><domain purpose="mx">web.de</domain>
          <displayName>WEB.DE</displayName>
          <incomingServer type="pop3"><hostname>pop3.web.de</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication><pop3><checkInterval minutes="15"/></pop3></incomingServer>
          <incomingServer type="pop3"><hostname>pop3.web.de</hostname><port>110</port><socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication><pop3><checkInterval minutes="15"/></pop3></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.web.de</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></outgoingServer>
          <outgoingServer type="smtp"><hostname>smtp.web.de</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></outgoingServer>
          <enable visiturl="https://hilfe.web.de/pop-imap/einschalten.html"><instruction lang="de">POP3/IMAP-Abruf einmalig in den Einstellungen erlauben.</instruction></enable>
          <hints>The server accepts a POP3 login only every 15 minutes; more frequent checks fail at authentication.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="zoho.com">
          <domain>zoho.com</domain><domain>zohomail.com</domain><domain purpose="mx">zoho.com</domain>
          <displayName>Zoho Mail</displayName>
          <incomingServer type="pop3"><hostname>pop.zoho.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.zoho.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <outgoingServer type="smtp"><hostname>smtp.zoho.com</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <enable visiturl="https://mail.zoho.com/zm/#settings/all/mailaccounts"><instruction lang="en">Enable POP access in Zoho Mail settings, Mail Accounts.</instruction></enable>
          <hints>An app-specific password is needed when two-factor authentication is on; organisation mailboxes use poppro.zoho.com.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="fastmail.com">
          <domain>fastmail.com</domain><domain>fastmail.fm</domain><domain>messagingengine.com</domain><domain purpose="mx">messagingengine.com</domain>
          <displayName>Fastmail</displayName>
          <incomingServer type="pop3"><hostname>pop.fastmail.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.fastmail.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <hints appPassword="true" appPasswordURL="https://app.fastmail.com/settings/security/devicekeys">Create an app password under Settings, Privacy &amp; Security; log in with the account's login address.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="proton.me">
          <domain>proton.me</domain><domain>protonmail.com</domain><domain>protonmail.ch</domain><domain>pm.me</domain><domain purpose="mx">protonmail.ch</domain>
          <displayName>Proton Mail</displayName>
          <hints popUnavailable="true">Proton offers no POP3 and no direct IMAP/SMTP; only the local Proton Mail Bridge (paid plans) speaks IMAP.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="t-online.de">
          <domain>t-online.de</domain><domain>magenta.de</domain><domain purpose="mx">t-online.de</domain>
          <displayName>Telekom Mail</displayName>
          <incomingServer type="pop3"><hostname>securepop.t-online.de</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>securesmtp.t-online.de</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <outgoingServer type="smtp"><hostname>securesmtp.t-online.de</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <hints appPassword="true">Use the separate "Passwort fuer E-Mail-Programme"; the web login password does not work.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="orange.fr">
          <domain>orange.fr</domain><domain>wanadoo.fr</domain>
          <displayName>Orange</displayName>
          <incomingServer type="pop3"><hostname>pop.orange.fr</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.orange.fr</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="free.fr">
          <domain>free.fr</domain>
          <displayName>Free</displayName>
          <incomingServer type="pop3"><hostname>pop.free.fr</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.free.fr</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></outgoingServer>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="libero.it">
          <domain>libero.it</domain><domain>iol.it</domain><domain>blu.it</domain><domain>inwind.it</domain><domain>giallo.it</domain>
          <displayName>Libero Mail</displayName>
          <incomingServer type="pop3"><hostname>popmail.libero.it</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.libero.it</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="qq.com">
          <domain>qq.com</domain><domain>foxmail.com</domain><domain purpose="mx">qq.com</domain>
          <displayName>QQ Mail</displayName>
          <incomingServer type="pop3"><hostname>pop.qq.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.qq.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <enable visiturl="https://mail.qq.com"><instruction lang="en">Enable the POP3/SMTP service in QQ Mail settings, Account, and generate an authorisation code.</instruction></enable>
          <hints appPassword="true">Log in with the authorisation code (授权码), not the QQ password.</hints>
        </emailProvider></clientConfig>
        <clientConfig version="1.1"><emailProvider id="163.com">
          <domain>163.com</domain><domain purpose="mx">163.com</domain>
          <displayName>NetEase 163 Mail</displayName>
          <incomingServer type="pop3"><hostname>pop.163.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
          <outgoingServer type="smtp"><hostname>smtp.163.com</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>
          <enable visiturl="https://mail.163.com"><instruction lang="en">Enable POP3/SMTP/IMAP in the settings and create a third-party authorisation code.</instruction></enable>
          <hints appPassword="true">Log in with a third-party authorisation code; free accounts may hold two at once.</hints>
        </emailProvider></clientConfig>
        </providers>
        """#
}
