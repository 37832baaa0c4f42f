"""Short news-style passages in many languages, written for these tests (no page of any site).

The language stage answers from stopwords when one language's list clearly wins and asks
langdetect otherwise; these passages check that the two agree on languages the dev sets
(almost all English) never show, including the close pairs where a stoplist alone could be
fooled (Danish / Norwegian / Swedish, Spanish / Portuguese / Catalan / Italian, Czech / Slovak,
Croatian / Slovenian, Russian / Ukrainian / Bulgarian / Macedonian, Indonesian, Afrikaans /
Dutch). `benchmarks/language_agreement.py` reports the same comparison.
"""
from __future__ import annotations

#: langdetect code -> passages, each a few lines as a page would hold them
PASSAGES: dict[str, list[str]] = {
    "en": [
        "The regional water board said on Monday that the reservoir was at its lowest level in a decade.\n"
        "Farmers in the valley have been asked to cut their use by a third until the autumn rains arrive.\n",
        "She had worked at the bakery for almost twenty years before the owners decided to sell it.\n"
        "Most of the regular customers only heard about the sale when the windows were covered in paper.\n",
    ],
    "de": [
        "Der Wasserverband teilte am Montag mit, dass der Stausee den niedrigsten Stand seit zehn Jahren erreicht hat.\n"
        "Die Landwirte im Tal wurden gebeten, ihren Verbrauch bis zum Herbst um ein Drittel zu senken.\n",
        "Sie hatte fast zwanzig Jahre in der Bäckerei gearbeitet, bevor die Besitzer beschlossen, sie zu verkaufen.\n"
        "Die meisten Stammkunden erfuhren erst davon, als die Fenster mit Papier abgeklebt waren.\n",
    ],
    "fr": [
        "L'agence régionale de l'eau a annoncé lundi que le réservoir était à son plus bas niveau depuis dix ans.\n"
        "Les agriculteurs de la vallée ont été priés de réduire leur consommation d'un tiers jusqu'à l'automne.\n",
        "Elle avait travaillé près de vingt ans à la boulangerie avant que les propriétaires ne décident de la vendre.\n"
        "La plupart des clients réguliers ne l'ont appris que lorsque les vitrines ont été couvertes de papier.\n",
    ],
    "es": [
        "La junta regional del agua informó el lunes de que el embalse está en su nivel más bajo de la última década.\n"
        "A los agricultores del valle se les ha pedido que reduzcan su consumo en un tercio hasta el otoño.\n",
        "Había trabajado casi veinte años en la panadería antes de que los dueños decidieran venderla.\n"
        "La mayoría de los clientes habituales se enteraron cuando los escaparates aparecieron cubiertos de papel.\n",
    ],
    "pt": [
        "A agência regional da água anunciou na segunda-feira que a barragem está no nível mais baixo da última década.\n"
        "Os agricultores do vale foram convidados a reduzir o seu consumo em um terço até à chegada das chuvas.\n",
        "Ela tinha trabalhado quase vinte anos na padaria antes de os donos decidirem vendê-la.\n"
        "A maioria dos clientes habituais só soube da venda quando as montras foram cobertas com papel.\n",
    ],
    "it": [
        "L'autorità regionale delle acque ha detto lunedì che il bacino è al livello più basso degli ultimi dieci anni.\n"
        "Agli agricoltori della valle è stato chiesto di ridurre i consumi di un terzo fino alle piogge d'autunno.\n",
        "Aveva lavorato quasi vent'anni nella panetteria prima che i proprietari decidessero di venderla.\n"
        "La maggior parte dei clienti abituali lo ha saputo solo quando le vetrine sono state coperte di carta.\n",
    ],
    "ca": [
        "L'agència regional de l'aigua va anunciar dilluns que el pantà és al nivell més baix de l'última dècada.\n"
        "Als pagesos de la vall se'ls ha demanat que redueixin el consum en un terç fins que arribin les pluges.\n",
        "Havia treballat gairebé vint anys al forn abans que els propietaris decidissin vendre'l.\n"
        "La majoria dels clients habituals només ho van saber quan els aparadors es van cobrir amb paper.\n",
    ],
    "nl": [
        "Het regionale waterschap meldde maandag dat het stuwmeer op het laagste peil van de afgelopen tien jaar staat.\n"
        "Boeren in het dal is gevraagd hun verbruik tot de herfst met een derde te verminderen.\n",
        "Ze had bijna twintig jaar in de bakkerij gewerkt voordat de eigenaren besloten om die te verkopen.\n"
        "De meeste vaste klanten hoorden het pas toen de ramen met papier waren afgeplakt.\n",
    ],
    "af": [
        "Die streekwaterraad het Maandag gesê dat die dam op sy laagste vlak in tien jaar is.\n"
        "Boere in die vallei is gevra om hulle verbruik tot die herfs met 'n derde te verminder.\n",
        "Sy het amper twintig jaar by die bakkery gewerk voordat die eienaars besluit het om dit te verkoop.\n"
        "Die meeste gereelde klante het eers daarvan gehoor toe die vensters met papier toegeplak is.\n",
    ],
    "da": [
        "Det regionale vandværk oplyste mandag, at reservoiret er på det laveste niveau i ti år.\n"
        "Landmændene i dalen er blevet bedt om at skære deres forbrug ned med en tredjedel indtil efteråret.\n",
        "Hun havde arbejdet næsten tyve år i bageriet, før ejerne besluttede at sælge det.\n"
        "De fleste faste kunder hørte først om salget, da vinduerne blev dækket med papir.\n",
    ],
    "no": [
        "Det regionale vannverket opplyste mandag at magasinet er på det laveste nivået på ti år.\n"
        "Bøndene i dalen er blitt bedt om å kutte forbruket sitt med en tredjedel fram til høsten.\n",
        "Hun hadde jobbet nesten tjue år i bakeriet før eierne bestemte seg for å selge det.\n"
        "De fleste faste kundene fikk ikke vite om salget før vinduene ble dekket med papir.\n",
    ],
    "sv": [
        "Det regionala vattenverket meddelade på måndagen att magasinet har sin lägsta nivå på tio år.\n"
        "Bönderna i dalen har ombetts att minska sin förbrukning med en tredjedel fram till hösten.\n",
        "Hon hade arbetat nästan tjugo år på bageriet innan ägarna bestämde sig för att sälja det.\n"
        "De flesta stamkunderna fick veta det först när fönstren täcktes med papper.\n",
    ],
    "fi": [
        "Alueellinen vesilaitos kertoi maanantaina, että tekojärven pinta on alimmillaan kymmeneen vuoteen.\n"
        "Laakson viljelijöitä on pyydetty vähentämään kulutustaan kolmanneksella syksyyn asti.\n",
        "Hän oli työskennellyt leipomossa lähes kaksikymmentä vuotta, ennen kuin omistajat päättivät myydä sen.\n"
        "Useimmat vakioasiakkaat kuulivat kaupasta vasta, kun ikkunat oli peitetty paperilla.\n",
    ],
    "et": [
        "Piirkondlik veeamet teatas esmaspäeval, et veehoidla on madalaimal tasemel viimase kümne aasta jooksul.\n"
        "Oru põllumeestel paluti sügiseni oma tarbimist kolmandiku võrra vähendada.\n",
    ],
    "pl": [
        "Regionalny zarząd wód poinformował w poniedziałek, że zbiornik osiągnął najniższy poziom od dziesięciu lat.\n"
        "Rolników w dolinie poproszono, aby do jesieni ograniczyli zużycie o jedną trzecią.\n",
        "Pracowała w piekarni prawie dwadzieścia lat, zanim właściciele postanowili ją sprzedać.\n"
        "Większość stałych klientów dowiedziała się o tym dopiero, gdy okna zakryto papierem.\n",
    ],
    "cs": [
        "Krajský vodohospodářský úřad v pondělí oznámil, že hladina přehrady je nejnižší za posledních deset let.\n"
        "Zemědělci v údolí byli požádáni, aby do podzimu snížili svou spotřebu o třetinu.\n",
        "V pekárně pracovala téměř dvacet let, než se majitelé rozhodli ji prodat.\n"
        "Většina stálých zákazníků se o tom dozvěděla, až když byla okna zakryta papírem.\n",
    ],
    "sk": [
        "Krajský vodohospodársky úrad v pondelok oznámil, že hladina priehrady je najnižšia za posledných desať rokov.\n"
        "Poľnohospodárov v údolí požiadali, aby do jesene znížili svoju spotrebu o tretinu.\n",
        "V pekárni pracovala takmer dvadsať rokov, kým sa majitelia rozhodli ju predať.\n"
        "Väčšina stálych zákazníkov sa o tom dozvedela, až keď boli okná zakryté papierom.\n",
    ],
    "hu": [
        "A regionális vízügyi hivatal hétfőn közölte, hogy a víztározó szintje tíz éve nem volt ilyen alacsony.\n"
        "A völgy gazdáit arra kérték, hogy őszig harmadával csökkentsék a fogyasztásukat.\n",
        "Majdnem húsz évig dolgozott a pékségben, mielőtt a tulajdonosok úgy döntöttek, hogy eladják.\n"
        "A legtöbb törzsvásárló csak akkor értesült róla, amikor az ablakokat papírral takarták le.\n",
    ],
    "ro": [
        "Administrația regională a apelor a anunțat luni că lacul de acumulare este la cel mai scăzut nivel din ultimii zece ani.\n"
        "Fermierilor din vale li s-a cerut să își reducă consumul cu o treime până la toamnă.\n",
        "Lucrase aproape douăzeci de ani la brutărie înainte ca proprietarii să decidă să o vândă.\n"
        "Cei mai mulți clienți fideli au aflat abia când vitrinele au fost acoperite cu hârtie.\n",
    ],
    "hr": [
        "Regionalna uprava za vode objavila je u ponedjeljak da je akumulacija na najnižoj razini u posljednjih deset godina.\n"
        "Poljoprivrednici u dolini zamoljeni su da do jeseni smanje potrošnju za trećinu.\n",
        "U pekari je radila gotovo dvadeset godina prije nego što su vlasnici odlučili da je prodaju.\n"
        "Većina stalnih kupaca saznala je za to tek kada su izlozi bili prekriveni papirom.\n",
    ],
    "sl": [
        "Regionalna uprava za vode je v ponedeljek sporočila, da je akumulacijsko jezero na najnižji ravni v zadnjih desetih letih.\n"
        "Kmete v dolini so prosili, naj do jeseni zmanjšajo porabo za tretjino.\n",
        "V pekarni je delala skoraj dvajset let, preden so se lastniki odločili, da jo prodajo.\n"
        "Večina stalnih strank je za to izvedela šele, ko so bila okna prekrita s papirjem.\n",
    ],
    "ru": [
        "Региональное управление водных ресурсов сообщило в понедельник, что уровень водохранилища самый низкий за десять лет.\n"
        "Фермеров в долине попросили до осени сократить потребление воды на треть.\n",
        "Она проработала в пекарне почти двадцать лет, прежде чем владельцы решили её продать.\n"
        "Большинство постоянных покупателей узнали об этом, только когда витрины заклеили бумагой.\n",
    ],
    "uk": [
        "Регіональне управління водних ресурсів повідомило в понеділок, що рівень водосховища найнижчий за десять років.\n"
        "Фермерів у долині попросили до осені скоротити споживання води на третину.\n",
        "Вона пропрацювала в пекарні майже двадцять років, перш ніж власники вирішили її продати.\n"
        "Більшість постійних покупців дізналися про це, лише коли вітрини заклеїли папером.\n",
    ],
    "bg": [
        "Регионалната дирекция за водите съобщи в понеделник, че нивото на язовира е най-ниското от десет години.\n"
        "Фермерите в долината бяха помолени да намалят потреблението си с една трета до есента.\n",
        "Тя беше работила в пекарната почти двадесет години, преди собствениците да решат да я продадат.\n"
        "Повечето редовни клиенти научиха за това едва когато витрините бяха покрити с хартия.\n",
    ],
    "mk": [
        "Регионалната управа за води соопшти во понеделникот дека нивото на акумулацијата е најниско во последните десет години.\n"
        "Од земјоделците во долината беше побарано до есента да ја намалат потрошувачката за една третина.\n",
    ],
    "el": [
        "Η περιφερειακή υπηρεσία υδάτων ανακοίνωσε τη Δευτέρα ότι η στάθμη του ταμιευτήρα είναι η χαμηλότερη της τελευταίας δεκαετίας.\n"
        "Οι αγρότες της κοιλάδας κλήθηκαν να μειώσουν την κατανάλωσή τους κατά ένα τρίτο μέχρι το φθινόπωρο.\n",
        "Είχε δουλέψει σχεδόν είκοσι χρόνια στο αρτοποιείο πριν οι ιδιοκτήτες αποφασίσουν να το πουλήσουν.\n"
        "Οι περισσότεροι τακτικοί πελάτες το έμαθαν μόνο όταν οι βιτρίνες σκεπάστηκαν με χαρτί.\n",
    ],
    "tr": [
        "Bölge su idaresi pazartesi günü yaptığı açıklamada barajın son on yılın en düşük seviyesinde olduğunu bildirdi.\n"
        "Vadideki çiftçilerden sonbahara kadar tüketimlerini üçte bir oranında azaltmaları istendi.\n",
        "Sahipleri fırını satmaya karar vermeden önce orada yaklaşık yirmi yıl çalışmıştı.\n"
        "Müdavimlerin çoğu satışı ancak vitrinler kağıtla kapatıldığında öğrendi.\n",
    ],
    "lt": [
        "Regioninė vandens tarnyba pirmadienį pranešė, kad tvenkinio lygis yra žemiausias per pastaruosius dešimt metų.\n"
        "Slėnio ūkininkų paprašyta iki rudens trečdaliu sumažinti vandens suvartojimą.\n",
    ],
    "lv": [
        "Reģionālā ūdens pārvalde pirmdien paziņoja, ka ūdenskrātuves līmenis ir zemākais pēdējo desmit gadu laikā.\n"
        "Ielejas zemniekiem lūgts līdz rudenim par trešdaļu samazināt ūdens patēriņu.\n",
    ],
    "sq": [
        "Drejtoria rajonale e ujërave njoftoi të hënën se niveli i rezervuarit është më i ulëti në dhjetë vitet e fundit.\n"
        "Fermerëve në luginë iu kërkua që deri në vjeshtë ta ulin konsumin me një të tretën.\n",
    ],
    "id": [
        "Badan pengelola air daerah mengatakan pada hari Senin bahwa waduk itu berada pada tingkat terendah dalam sepuluh tahun terakhir.\n"
        "Para petani di lembah itu diminta untuk mengurangi pemakaian air mereka sepertiga sampai musim hujan tiba.\n",
        "Dia sudah bekerja hampir dua puluh tahun di toko roti itu sebelum pemiliknya memutuskan untuk menjualnya.\n"
        "Sebagian besar pelanggan tetap baru mengetahuinya ketika jendela toko ditutup dengan kertas.\n",
    ],
    "tl": [
        "Sinabi ng lokal na tanggapan ng tubig noong Lunes na ang imbakan ay nasa pinakamababang antas nito sa loob ng sampung taon.\n"
        "Hiniling sa mga magsasaka sa lambak na bawasan ng isang katlo ang kanilang paggamit hanggang sa tag-ulan.\n",
    ],
    "sw": [
        "Mamlaka ya maji ya mkoa ilisema Jumatatu kwamba bwawa liko katika kiwango cha chini zaidi katika miaka kumi.\n"
        "Wakulima katika bonde hilo wameombwa kupunguza matumizi yao kwa theluthi moja hadi mvua zitakapoanza.\n",
    ],
    "vi": [
        "Cơ quan quản lý nước của tỉnh cho biết hôm thứ Hai rằng mực nước hồ chứa đang ở mức thấp nhất trong mười năm qua.\n"
        "Nông dân trong thung lũng được yêu cầu giảm một phần ba lượng nước sử dụng cho đến mùa thu.\n",
    ],
    "cy": [
        "Dywedodd y bwrdd dŵr rhanbarthol ddydd Llun fod y gronfa ddŵr ar ei lefel isaf ers deng mlynedd.\n"
        "Mae ffermwyr yn y cwm wedi cael cais i dorri eu defnydd o draean tan i law yr hydref gyrraedd.\n",
    ],
    "he": [
        "רשות המים האזורית הודיעה ביום שני כי מפלס המאגר הוא הנמוך ביותר בעשור האחרון.\n"
        "החקלאים בעמק התבקשו לצמצם את הצריכה שלהם בשליש עד לבוא הגשמים בסתיו.\n",
    ],
    "ar": [
        "أعلنت هيئة المياه الإقليمية يوم الاثنين أن منسوب الخزان هو الأدنى منذ عشر سنوات.\n"
        "وطُلب من المزارعين في الوادي خفض استهلاكهم بمقدار الثلث حتى هطول أمطار الخريف.\n",
    ],
    "fa": [
        "سازمان آب منطقه‌ای روز دوشنبه اعلام کرد که سطح آب مخزن در پایین‌ترین حد خود در ده سال گذشته است.\n"
        "از کشاورزان این دره خواسته شده است که تا پاییز مصرف خود را یک سوم کاهش دهند.\n",
    ],
    "hi": [
        "क्षेत्रीय जल बोर्ड ने सोमवार को कहा कि जलाशय का स्तर पिछले दस वर्षों में सबसे निचले स्तर पर है।\n"
        "घाटी के किसानों से कहा गया है कि वे शरद ऋतु तक अपनी खपत में एक तिहाई की कटौती करें।\n",
    ],
    "ko": [
        "지역 수자원 관리청은 월요일 저수지 수위가 지난 10년 동안 가장 낮은 수준이라고 밝혔다.\n"
        "계곡의 농민들은 가을비가 올 때까지 물 사용량을 3분의 1로 줄여 달라는 요청을 받았다.\n",
    ],
    "ja": [
        "地域の水道局は月曜日、貯水池の水位がこの十年で最も低い水準にあると発表した。\n"
        "谷の農家には、秋の雨が降るまで使用量を三分の一減らすよう求めている。\n",
    ],
    "zh-cn": [
        "地区水务局星期一表示，水库的水位已经降到了十年来的最低水平。\n"
        "山谷里的农民被要求在秋雨到来之前把用水量减少三分之一。\n",
    ],
}

#: a site's English menu around an article in another language, as real pages have it
ENGLISH_MENU = "Home\nNews\nSport\nLogin\nSubscribe\nContact us\nShare on Facebook\n\n"
