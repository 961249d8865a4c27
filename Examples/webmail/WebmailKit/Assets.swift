/// The style sheet and the script, served from this server (the Content-Security-Policy allows no
/// other): plain CSS and a little JavaScript, no build step.
enum Assets {
    static func response(for path: String) -> WebResponse {
        let headers = [("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-cache")]
        switch path {
        case "/static/app.css": return WebResponse(contentType: "text/css; charset=utf-8", text: css, headers: headers)
        case "/static/app.js":
            return WebResponse(contentType: "text/javascript; charset=utf-8", text: javascript, headers: headers)
        default:
            return WebResponse(
                status: 404, contentType: "text/plain; charset=utf-8", text: "not found\n", headers: headers)
        }
    }

    static let css = """
        :root { --accent: #0067b8; --line: #d0d7de; --muted: #57606a; --bad: #b42318; --good: #107c10; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #f6f8fa; }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible,
        summary:focus-visible { outline: 3px solid #ffb900; outline-offset: 2px; }
        header.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .6rem 1rem;
          background: var(--accent); color: #fff; }
        header.top a { color: #fff; text-decoration: none; margin-right: 1rem; }
        header.top .brand { font-weight: 700; font-size: 1.2rem; }
        .page { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        .mail { display: grid; grid-template-columns: minmax(12rem, 16rem) minmax(0, 1fr); gap: 1rem; }
        h1, h2 { overflow-wrap: anywhere; }
        @media (max-width: 40rem) {
          .page { padding: .5rem; }
          h1 { font-size: 1.4rem; }
          .mail { grid-template-columns: minmax(0, 1fr); }
          table.messages th:last-child, td.date { display: none; }
        }
        .folders ul { list-style: none; margin: 0; padding: 0; }
        .folders li a { display: flex; align-items: center; gap: .4rem; padding: .35rem .5rem; border-radius: 4px;
          text-decoration: none; color: inherit; }
        .folders li a[aria-current] { background: #dbeafe; font-weight: 600; }
        .unread { margin-left: auto; background: var(--accent); color: #fff; border-radius: 1rem; padding: 0 .5rem;
          font-size: .85rem; }
        .diamond { width: .9rem; height: .9rem; flex: none; display: inline-block; vertical-align: -.1rem; }
        .diamond.none { visibility: hidden; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
        tr.is-unread td { font-weight: 600; }
        td.marker { width: 1.5rem; }
        section.list, article.message, section.account, form, .outcome, .indicator { background: #fff;
          border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin-bottom: 1rem; }
        section.list { padding: .5rem; }
        pre.body { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; }
        label { display: block; margin-top: .6rem; font-weight: 600; }
        label.inline, fieldset label, .marker-choice { font-weight: 400; }
        fieldset label { display: flex; align-items: center; gap: .4rem; }
        input[type=text], input[type=email], input[type=password], select, textarea { width: 100%; max-width: 36rem;
          font: inherit; padding: .4rem; border: 1px solid #8c959f; border-radius: 4px; }
        fieldset { border: 1px solid var(--line); border-radius: 4px; margin: .8rem 0; }
        .markers { display: flex; flex-wrap: wrap; gap: .2rem 1rem; }
        button, .button { display: inline-block; font: inherit; padding: .45rem 1rem; margin: .6rem .4rem 0 0;
          border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff;
          text-decoration: none; cursor: pointer; }
        button.danger { background: var(--bad); border-color: var(--bad); }
        form.inline { display: inline; border: 0; padding: 0; margin: 0; background: none; }
        details { margin: .8rem 0; }
        summary { cursor: pointer; color: var(--accent); }
        .notice { background: #e6f4ea; border: 1px solid #a7d8b0; padding: .6rem 1rem; border-radius: 4px; }
        .notice.problem { background: #fdecea; border-color: #f5b5ad; }
        .diagnosis, .problem { border-left: 4px solid var(--bad); background: #fdecea; padding: .6rem 1rem; }
        .diagnosis .summary { font-weight: 600; }
        ol#steps li.pass { color: var(--good); }
        ol#steps li.fail { color: var(--bad); font-weight: 600; }
        ol#steps li.advice { color: var(--muted); }
        ol#steps li.authorize { font-weight: 600; }
        .indicator[data-state=running] ol#steps li:last-child::after { content: " …"; }
        dl.settings, dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        dt { font-weight: 600; }
        dd { margin: 0; overflow-wrap: anywhere; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        .empty, .hint { color: var(--muted); }
        """

    static let javascript = """
        "use strict";
        // The connection indicator: each step of the flow as it happens (server-sent events); when the
        // flow ends, the page is loaded again to show what to do next.
        document.addEventListener("DOMContentLoaded", () => {
          const indicator = document.getElementById("indicator");
          if (indicator && indicator.dataset.state === "running") {
            const steps = document.getElementById("steps");
            const known = steps.children.length;
            let seen = 0;
            const source = new EventSource(indicator.dataset.events);
            source.addEventListener("step", (event) => {
              seen += 1;
              if (seen <= known) return;
              const line = JSON.parse(event.data);
              const item = document.createElement("li");
              item.className = line.kind;
              item.textContent = line.text;
              if (line.link) {
                const link = document.createElement("a");
                link.href = line.link;
                link.target = "_blank";
                link.rel = "noopener noreferrer";
                link.textContent = "open the page";
                item.append(" ", link);
              }
              steps.appendChild(item);
            });
            source.addEventListener("done", () => { source.close(); window.location.reload(); });
          }
          // The mailbox: new mail appears without a reload. On each "mail" event the folder list and
          // the message list are fetched again as a fragment and put in place, and once when the
          // stream opens, for mail that came between the page and the stream; a fragment of the
          // same version as the page changes nothing.
          const mailbox = document.getElementById("mailbox");
          if (mailbox) {
            const refresh = async () => {
              const response = await fetch(window.location.href, { headers: { "X-Webmail-Fragment": "mailbox" } });
              const version = response.headers.get("X-Webmail-Version");
              if (!response.ok || version === mailbox.dataset.version) return;
              const focused = document.activeElement && document.activeElement.closest("#mailbox") ? true : false;
              mailbox.innerHTML = await response.text();
              mailbox.dataset.version = version;
              mailbox.dataset.refreshed = String(Number(mailbox.dataset.refreshed || 0) + 1);
              if (focused) mailbox.querySelector("a")?.focus();
            };
            const source = new EventSource("/events/mail");
            source.addEventListener("ready", refresh);
            source.addEventListener("mail", refresh);
          }
        });
        """
}
