"""The chrome vocabulary's groups: each a removal category, with the words and short phrases
its chrome is made of (vocabulary.py compiles and measures them).

Data alone, apart from the code that compiles it: the classifier's rule ids declare which
categories a test may give "by its words" (stages/classify.py), and a run's main process
reads those declarations without ever classifying a page.
"""
from __future__ import annotations

# Category -> words and short phrases. Stems end in \w* where inflection matters.
TERMS: dict[str, list[str]] = {
    "navigation": [
        r"home(?:page)?", r"menu", r"skip to", r"search", r"sections?", r"log ?in", r"log ?out", r"sign ?in",
        r"sign ?out", r"register", r"my account", r"account", r"profile", r"next", r"previous", r"prev",
        r"back to top", r"top", r"more", r"show more", r"see all", r"view all", r"all stories",
        r"categories", r"archives?", r"tags?", r"topics?", r"site ?map", r"browse", r"go to",
        r"breadcrumb", r"you are here", r"edition", r"language", r"accessibility",
        r"startseite", r"suche", r"anmelden", r"accueil", r"recherche", r"connexion", r"inicio", r"buscar",
        r"iniciar sesión", r"entrar", r"página inicial",
    ],
    "social": [
        r"share\w*", r"tweet\w*", r"facebook", r"twitter", r"pinterest", r"linkedin", r"whatsapp", r"reddit",
        r"instagram", r"youtube", r"tumblr", r"telegram", r"flipboard", r"pocket", r"e-?mail this",
        r"follow (?:us|me|him|her)", r"like us", r"copy link", r"teilen", r"partager", r"compartir",
        r"compartilhar", r"condividi",
    ],
    "newsletter": [
        r"newsletters?", r"subscribe\w*", r"sign ?up", r"inbox", r"unsubscribe", r"e-?mail address",
        r"your e-?mail", r"get (?:the|our) (?:latest|best)", r"delivered to", r"alerts?",
        r"abonnieren", r"s'abonner", r"abonnez-vous", r"suscr[ií]bete", r"suscribirse", r"inscreva-se",
    ],
    "paywall": [
        r"subscribers?", r"subscription", r"premium", r"paywall", r"free trial", r"keep reading",
        r"continue reading", r"unlimited access", r"digital access", r"already a (?:subscriber|member)",
        r"log in to (?:read|continue)", r"per (?:month|week)", r"cancel anytime", r"ad-?free", r"members? only",
        r"exclusive", r"abonnement", r"abonné", r"suscriptor",
    ],
    "donation": [
        r"donat\w*", r"contribut\w*", r"support (?:us|our|independent|quality|journalism)", r"chip in",
        r"membership", r"become a (?:member|patron|supporter)", r"patrons?", r"patreon", r"tax[- ]deductible",
        r"reader[- ](?:funded|supported)", r"fund\w*", r"spenden", r"faire un don", r"donar", r"doação",
    ],
    "legal": [
        r"©", r"\(c\)", r"copyright", r"all rights reserved", r"rights reserved", r"trademarks?",
        r"terms (?:of|and) (?:use|service|conditions)", r"terms", r"privacy(?: policy)?", r"cookies?",
        r"licen[cs]e[ds]?", r"creative commons", r"republish\w*", r"reproduc\w*", r"permission",
        r"disclaimer", r"affiliate", r"gdpr", r"consent", r"datenschutz", r"impressum",
        r"mentions légales", r"aviso legal", r"política de privacidad", r"derechos reservados",
    ],
    "widget": [
        r"advertis\w*", r"sponsored", r"promoted", r"recommended", r"you (?:may|might) (?:also )?like",
        r"related(?: (?:stories|articles|posts|content))?", r"most (?:read|popular|viewed)", r"trending",
        r"comments?", r"reply", r"replies", r"loading", r"read more", r"learn more", r"click here", r"watch",
        r"video", r"photos?", r"gallery", r"play", r"close", r"print", r"font size", r"text size", r"listen",
        r"download", r"app", r"view", r"skip(?: ad)?", r"full ?screen", r"captions?", r"buy", r"ads?",
        r"thumbnails", r"autoplay", r"mute", r"unmute", r"expand", r"collapse", r"hide", r"show",
        r"anzeige", r"werbung", r"publicidad", r"publicité", r"leia mais", r"lire aussi",
    ],
    "byline": [
        r"by", r"posted by", r"written by", r"author", r"updated", r"published", r"posted", r"staff",
        r"reporter", r"correspondent", r"von", r"par", r"por",
    ],
    "credit": [
        r"photo(?:graph)?s?", r"image", r"credit", r"getty(?: images)?", r"reuters", r"afp", r"ap photo",
        r"shutterstock", r"istock", r"courtesy", r"illustration", r"foto",
    ],
    "contact": [
        r"contact(?: us)?", r"tips?", r"e-?mail", r"phone", r"tel", r"fax", r"address", r"write to",
        r"kontakt", r"contacto",
    ],
}
