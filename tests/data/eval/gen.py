import json

M = []


def m(id, lang, note, turns, labels):
    M.append(
        {
            "id": id,
            "language": lang,
            "note": note,
            "turns": [{"speaker": s, "text": t} for s, t in turns],
            "labels": {
                k: labels.get(k, [])
                for k in ["customer_asks_for_proposal", "rep_affirmation", "rep_case_study", "rep_proposal"]
            },
        }
    )


R, C = "rep", "customer"
m(
    "ja-extra-01",
    "ja",
    "電話。挨拶のはい、拝見、えーと、ただ付きのそうですね、かしこまりました。",
    [
        (R, "はい、山田商事の佐藤です。"),
        (C, "もしもし、先日の件でお電話しました。資料はいけんしました。"),
        (R, "ありがとうございます。"),
        (C, "在庫の管理がどうも回ってなくて、棚卸しに毎月三日かかってるんです。"),
        (R, "うーん、三日ですか。"),
        (C, "ええ。人も足りないですし。"),
        (R, "そうですね、ただ人を増やすだけでは難しいかもしれません。"),
        (C, "何から手をつけたらええんやろ。"),
        (R, "ええと、そうですね、いくつか考えられますが、まずは棚の配置からですね。"),
        (C, "なるほど。その資料もらえますか。"),
        (R, "かしこまりました。お送りします。"),
    ],
    {"customer_asks_for_proposal": [7], "rep_affirmation": [], "rep_proposal": []},
)
m(
    "ja-extra-02",
    "ja",
    "関西弁の顧客。相槌の連続、事例二社、エコー質問。",
    [
        (R, "最近、配送の方はどうですか。"),
        (C, "いやあ、ドライバーが足りへんで、残業ばっかりですわ。"),
        (R, "はいはい。"),
        (C, "ルートも毎朝ベテランが手で組んでて、その人が休んだら回らへんのです。"),
        (R, "うんうん、なるほど。"),
        (C, "朝の二時間がそれで潰れるんですわ。"),
        (R, "二時間ですか。"),
        (C, "そうなんです。どないしたらええと思います？"),
        (
            R,
            "確かにそうですね。実は、ある運送会社さんでは、ルート作成を自動化したところ、朝の準備が二時間から二十分になりました。また別の食品卸の会社さんでは、配車表を共有しただけで残業が三割減ったそうです。",
        ),
        (C, "へえ、それはすごいな。ほかにもっと安いやり方はありませんか？"),
        (R, "はい、ライトプランですと月額二万円でご利用いただけます。"),
        (C, "契約期間はどれくらいですか？"),
        (R, "一年単位になります。"),
    ],
    {
        "customer_asks_for_proposal": [7, 9],
        "rep_affirmation": [2, 2, 4, 4, 4, 8, 8, 10],
        "rep_case_study": [8, 8],
        "rep_proposal": [10],
    },
)
m(
    "ja-extra-03",
    "ja",
    "Whisper風: 句読点なし、数字は算用数字、尊敬語。",
    [
        (R, "本日はよろしくお願いいたします まずは現状をお聞かせいただけますか"),
        (C, "はい 経費精算が紙で月に300枚ほど回ってまして 経理が大変なんです"),
        (R, "ええ ええ"),
        (C, "承認も部長がハンコを押すまで1週間かかることがあって"),
        (R, "おっしゃる通りですね 承認待ちはよく伺うお悩みです"),
        (C, "御社だったらどうされますか"),
        (R, "そうですね いくつか方法がありますが 弊社のクラウド精算をご提案させてください"),
        (C, "費用はどのくらいですか"),
        (R, "1ユーザー月額500円です"),
        (C, "導入にはどれくらいかかりますか"),
        (R, "2週間ほどで使い始められます"),
    ],
    {"customer_asks_for_proposal": [5], "rep_affirmation": [2, 2, 4], "rep_proposal": [6, 8]},
)
m(
    "ja-extra-04",
    "ja",
    "顧客の愚痴と自社の話、実績の主張。事例ではないもの。",
    [
        (R, "本日はよろしくお願いします。"),
        (C, "正直、もうどうしたらいいかわからないんですよね。"),
        (R, "それは大変ですね。"),
        (C, "御社は創業何年なんですか？"),
        (R, "弊社は二〇〇五年に創業しまして、導入社数は二千社を超えています。"),
        (C, "他のお客さんはどれくらい効果が出てるんですか？"),
        (R, "多くの企業様にご利用いただいています。"),
        (C, "うちの取引先の会社では、紙に戻したら楽になったって言ってましたよ。"),
        (R, "そうなんですね。"),
        (C, "何かいい方法ってないですかね。"),
        (
            R,
            "はい。ある病院では、受付の予約を紙からタブレットに切り替えたところ、待ち時間が半分になりました。",
        ),
        (C, "なるほどね。"),
        (R, "まずは受付だけで無料トライアルを始めてみませんか。"),
    ],
    {
        "customer_asks_for_proposal": [9],
        "rep_affirmation": [8, 10],
        "rep_case_study": [10],
        "rep_proposal": [12],
    },
)
m(
    "ja-extra-05",
    "ja",
    "提案後の詳細質問、見積もり依頼、次回打合せ提案、顧客のアイデアへの同意。",
    [
        (C, "先日ご提案いただいたプランですが、保証期間はどうなってますか？"),
        (R, "はい、三年間の保証が付いております。"),
        (C, "その提案を書面でいただけますか。"),
        (R, "承知しました。"),
        (C, "社内でまず小さく試してみようかと思ってるんです。"),
        (R, "それはやった方がいいですね。"),
        (C, "ほかにどんなプランがあるんですか。"),
        (R, "スタンダードとプレミアムの二つがございます。"),
        (C, "分かりました。"),
        (R, "では、来週あらためてお打ち合わせの時間をいただけますか。"),
    ],
    {"customer_asks_for_proposal": [6], "rep_affirmation": [1, 5], "rep_proposal": [7]},
)
m(
    "en-extra-01",
    "en",
    "Affirmation variety and negatives: right now, thanks, sure but, echo question, will do.",
    [
        (R, "Thanks for joining. How are things on the support side right now?"),
        (C, "Honestly, we're drowning. Tickets sit for three days before anyone picks them up."),
        (R, "Right, right. That's rough."),
        (C, "And our agents copy answers from an old wiki nobody updates."),
        (R, "Three days?"),
        (C, "Yeah, sometimes four."),
        (R, "Mm-hmm. Got it."),
        (C, "We tried adding more agents but it didn't help much."),
        (R, "Sure, but that usually takes a few months to show."),
        (C, "I'm not sure what we should do."),
        (R, "I don't know exactly how your queue is set up yet. Can you send me a sample?"),
        (C, "Will do. So what would you do in our shoes?"),
        (R, "Yeah, I'd recommend our Support Pro plan with the knowledge base add-on."),
        (C, "How long is the contract?"),
        (R, "Twelve months, billed monthly."),
        (C, "Great, thanks."),
        (R, "Thank you. I'll send the details over."),
    ],
    {"customer_asks_for_proposal": [11], "rep_affirmation": [2, 2, 6, 6, 12], "rep_proposal": [12]},
)
m(
    "en-extra-02",
    "en",
    "Case studies with and without outcome, bare claims, customer story, cheaper option ask.",
    [
        (R, "What made you look at onboarding tools this quarter?"),
        (
            C,
            "New hires take six weeks to get productive. A friend's company fixed that with buddy programs, apparently.",
        ),
        (R, "I see. Lots of companies use us for exactly that."),
        (C, "Do you have anything for a team of twenty?"),
        (
            R,
            "Absolutely. One of our customers, a regional bank, replaced their binder with short daily checklists and cut ramp time from six weeks to three. Another client, a software firm, is also looking at this.",
        ),
        (C, "Interesting. Is there a cheaper option though? Our budget is small."),
        (R, "We have a Starter plan at $12 per seat per month."),
        (C, "And what does setup cost?"),
        (R, "Setup is free for teams under fifty."),
    ],
    {
        "customer_asks_for_proposal": [3, 5],
        "rep_affirmation": [2, 4],
        "rep_case_study": [4],
        "rep_proposal": [6],
    },
)
with open("extra.jsonl", "w") as f:
    for x in M:
        f.write(json.dumps(x, ensure_ascii=False) + "\n")
