"""The demo corpus's words: what its posts and users say, and the JSON they are written in.

Openings, replies, topics and names in Portuguese, English and Spanish, with accents, emoji and
newlines; endings with hashtags and links; and `entities` as the API reports them for a text.
"""

import hashlib
import json
import re

OPENINGS = [
    "Começando hoje o curso de {topic} na {query} 🚀",
    "Alguém mais estudando {topic}? A aula de ontem foi ótima 👏",
    "Dica rápida de {topic}:\nleia a documentação antes de tudo 📚",
    "Just finished the {topic} module from {query}. Worth it! ✅",
    "Pergunta sincera: {topic} ou dados em tempo real? 🤔",
    "Meu primeiro pipeline com {topic} rodou sem erro 🎉\n\n#{query}",
    "¿Alguien tiene apuntes de {topic}? Gracias 🙏",
    "Três coisas sobre {topic} esta semana:\n1. partições\n2. esquemas\n3. paciência ☕",
]
REPLIES = [
    "@{username} concordo demais! 💯",
    "@{username} obrigado pela dica, vou testar amanhã 🙌",
    "@{username} great point — saved it.",
    "@{username} você usou qual versão? Aqui deu erro 😅",
    "@{username} ¡excelente! 👍",
]
TOPICS = ["Spark", "Airflow", "Dagster", "Python", "SQL", "engenharia de dados", "Parquet"]
FIRST_NAMES = ["João", "Maria", "Zoë", "Ana", "Chloé", "Luís", "Bruno", "Beatriz", "Renée"]
HANDLES = [name.lower().encode("ascii", "ignore").decode() for name in FIRST_NAMES]
LAST_NAMES = ["Silva", "Gonçalves", "Müller", "Araújo", "Souza", "Peña", "Lima", "Ørsted"]
LANGS = ["pt", "pt", "pt", "en", "es", "pt", "en", "pt"]
# What follows a post's opening: hashtags ({tag} is the topic's, in three cases) and a link.
ENDINGS = [
    "",
    "",
    "",
    " #{tag}",
    " #{tag}",
    " #{lower}",
    " #{tag} #dados",
    " #{tag} #{upper}",
    " #Dados #{tag} https://t.co/{code}",
    " https://t.co/{code}",
]
LINK = "https://www.alura.com.br/cursos/{slug}"
HASHTAG, MENTION, URL = re.compile(r"#(\w+)"), re.compile(r"@(\w+)"), re.compile(r"https://\S+")

TWEET = (
    '{"author_id":"%s","conversation_id":"%s","created_at":"%sZ","edit_history_tweet_ids":["%s"],'
    '"id":"%s","lang":"%s","public_metrics":{"retweet_count":%d,"reply_count":%d,'
    '"like_count":%d,"quote_count":%d,"bookmark_count":%d,"impression_count":%d},"text":%s%s%s}'
)
MENTIONS = ',"entities":{"mentions":[{"start":0,"end":%d,"username":"%s","id":"%s"}]}'
REPLY_FIELDS = ',"in_reply_to_user_id":"%s","referenced_tweets":[{"type":"replied_to","id":"%s"}]'
USER = (
    '{"created_at":"%04d-%02d-%02dT00:00:00.000Z","id":"%s","name":"%s","public_metrics":'
    '{"followers_count":%d,"following_count":%d,"tweet_count":%d,"listed_count":%d},'
    '"username":"%s_%d","verified":%s}'
)


def entities_of(text: str) -> str:
    """`,"entities":{...}` for the hashtags, mentions and links of a demo text (or nothing)."""
    found: dict[str, list[dict]] = {}
    for match in HASHTAG.finditer(text):
        found.setdefault("hashtags", []).append(
            {"start": match.start(), "end": match.end(), "tag": match.group(1)}
        )
    for match in MENTION.finditer(text):
        found.setdefault("mentions", []).append(
            {"start": match.start(), "end": match.end(), "username": match.group(1)}
        )
    for match in URL.finditer(text):
        slug = hashlib.sha256(match.group().encode()).hexdigest()[:6]
        expanded = LINK.format(slug=slug)
        found.setdefault("urls", []).append(
            {
                "start": match.start(),
                "end": match.end(),
                "url": match.group(),
                "expanded_url": expanded,
                "display_url": expanded.removeprefix("https://"),
            }
        )
    if not found:
        return ""
    return ',"entities":' + json.dumps(found, ensure_ascii=False, separators=(",", ":"))


ACCOUNT_USER = (
    '{"created_at":"2011-05-04T00:00:00.000Z","id":"%s","name":"%s","public_metrics":'
    '{"followers_count":250000,"following_count":300,"tweet_count":40000,"listed_count":900},'
    '"username":"%s","verified":true}'
)
