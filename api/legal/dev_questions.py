"""Questions written for the development split (never taken from ``eval/legal/questions.yml``).

The leave-one-out split of ``kkshared.retrieval.calibration`` only has the notes' own questions:
short, in the notes' words, and unanswerable only because their note is left out. So a question that
shares one incidental word with a note ("hvad koster ...") never occurs in it, nor does a
caseworker's long description of a case. Both kinds are written here and asked of the full index
when the calibrator is fitted (``api.legal.calibration``) and when
``bench/legal/tune_thresholds.py`` chooses the thresholds:

- ``OFF_TOPIC`` and ``IN_DOMAIN`` (together ``UNANSWERABLE``): no note answers them (label 0);
- ``PARAPHRASES``: a note's question in a caseworker's own words (label: the note ranks first).

Several deliberately share a word or a name with a note (Gammel Køge Landevej, ferie, løn, samtale,
Facebook, Jobnet ...) without asking what the note answers. The in-domain ones were checked against
the note texts: no note states the rule they ask for.
"""

from __future__ import annotations

OFF_TOPIC: tuple[str, ...] = (
    "Hvad koster en kop kaffe i kantinen?",
    "hvornår har kantinen åbent i dag",
    "Hvordan nulstiller jeg min adgangskode til Outlook?",
    "Hvor kan jeg parkere min cykel ved Gammel Køge Landevej?",
    "Må jeg tage min hund med på arbejde om fredagen?",
    "kommer der regn over byen i morgen",
    "Hvem vandt Superligaen sidste år?",
    "hvordan booker jeg et mødelokale til en samtale i outlook",
    "Hvor meget koster et månedskort til metroen?",
    "Hvornår bliver lønnen udbetalt i december?",
    "Hvordan søger jeg selv om ferie i personalesystemet?",
    "Hvor finder jeg printeren på tredje sal?",
    "Kan du anbefale en god frokostrestaurant nær Rådhuspladsen?",
    "Hvad er forskellen på en latte og en cappuccino?",
    "hvordan laver man en god lagkage til fødselsdagen",
    "Hvornår er der julefrokost i afdelingen?",
    "min skærm flimrer, hvem ringer jeg til i IT-support",
    "Hvad er åbningstiderne i Tivoli i sommerferien?",
    "hvor mange dage er der til påske",
    "Kan jeg følge med i fodboldlandskampen på Facebook i arbejdstiden?",
    "Hvordan skifter jeg baggrundsbillede på min computer?",
    "hvad hedder statsministeren",
    "Hvilken bus kører fra Hovedbanegården til Lærkevej om aftenen?",
    "Er der nogen der har lånt min oplader?",
    "Hvordan opretter jeg en profil på Jobnet til min søn, der søger studiejob?",
    "hvad er en god opskrift på frikadeller",
    "hvor meget koster det at leje en sommerhus i juli",
    "Hvordan får jeg refunderet min udgift til taxa efter personalemødet?",
)

IN_DOMAIN: tuple[str, ...] = (
    "Hvor lang er klagefristen, når borgeren vil klage over en afgørelse om kontanthjælp?",
    "Hvornår skal vi give aktindsigt, og hvor lang tid har vi til at svare?",
    "Har borgeren ret til at tage en bisidder med til jobsamtalen?",
    "hvor meget formue maa en kontanthjaelpsmodtager have i banken",
    "Skal en arv modregnes i kontanthjælpen, og fra hvornår?",
    "Kan en borger på kontanthjælp få enkeltydelse til tandbehandling?",
    "Kan vi give hjælp til flytning efter aktivlovens § 85?",
    "Hvornår har en borger ret til seniorpension, og hvem træffer afgørelsen?",
    "hvordan søger en ledig borger om barselsdagpenge",
    "Hvor meget må kommunen modregne i kontanthjælpen for gammel gæld til kommunen?",
    "Hvad er satsen for kontanthjælp til en enlig forsørger over 30 år?",
    "Kan en borger på integrationsydelse tage på ferie i udlandet uden at miste ydelsen?",
    "Hvornår rammer en sygedagpengemodtager varighedsbegrænsningen på 22 uger?",
    "Skal vi betale for en tolk til samtalen, når borgeren ikke taler dansk?",
    "Må vi ringe til borgerens bank og spørge til kontoudtog uden samtykke?",
    "Hvordan påvirker boligstøtte beregningen af kontanthjælp?",
    "Kan børnebidrag trækkes direkte fra borgerens kontanthjælp?",
    "hvornaar skal borgeren betale skat af sygedagpenge",
    "Kan jobcentret betale et kørekort som opkvalificering til en ledig chauffør?",
    "Hvornår kan vi bevilge psykologhjælp til en sygemeldt borger?",
    "Hvad gør jeg, hvis en borger truer mig under samtalen?",
    "Må en borger i misbrugsbehandling undtages fra rådighedskravet, og hvor står det?",
    "Har en hjemløs borger uden adresse ret til kontanthjælp?",
    "Hvornår skal jeg lave en underretning til Børne- og Ungeforvaltningen om borgerens børn?",
    "Gælder tavshedspligten også over for borgerens pårørende, der ringer og spørger?",
    "Hvordan skal en fuldmagt fra borgeren se ud, før vi må tale med advokaten?",
    "Hvad sker der med ydelsen, hvis borgeren dør midt i måneden?",
    "Kan en gravid kontanthjælpsmodtager fritages for aktivering, og fra hvilken uge?",
    "Hvornår har en udlænding ret til danskuddannelse betalt af kommunen?",
    "Er en SU-berettiget studerende berettiget til uddannelseshjælp i sommerferien?",
    "Kan en borger få kontanthjælp, mens ægtefællen arbejder i udlandet?",
    "Hvordan regnes 225-timersreglen ud for et ægtepar, hvor kun den ene arbejder?",
)

UNANSWERABLE: tuple[str, ...] = OFF_TOPIC + IN_DOMAIN

# Paraphrases in caseworkers' own styles (long case descriptions, informal, short, typos, ae/oe/aa,
# references), written for the development split from the notes: the notes' own questions are
# short and in the notes' words, so the leave-one-out split alone under-represents how coverage
# drops when a caseworker describes a case at length. Asked of the full index; right when the
# expected note comes first.
PARAPHRASES: tuple[tuple[str, str], ...] = (
    # long case descriptions
    (
        "bif2017-018-telefoniske-jobsamtaler-i-praktik",
        "Hun er netop begyndt i praktik i et supermarked på Amager og kan svært få fri midt på "
        "dagen. Må den kommende jobsamtale foregå over telefonen frem for at hun kaldes ind?",
    ),
    (
        "bif2017-020-ophoer-i-tilbud-efter-leverandoerens-anbefaling",
        "Leverandøren har skrevet i deres rapport, at forløbet ikke giver mening for min borger "
        "længere og at han bør stoppe nu. Må han bare holde op med at komme, eller hvad skal der "
        "ske fra vores side først?",
    ),
    (
        "bif2017-022-facebook-i-sagsbehandlingen",
        "En kollega mener, at en sygemeldt borger lægger billeder op fra træningscentret hver "
        "dag. Må jeg gå ind og kigge på hans profil på de sociale medier som led i sagen, og kan "
        "jeg bruge min egen konto til det?",
    ),
    (
        "bif2017-030-udeblevet-fra-afsoning-kontanthjaelp",
        "Kriminalforsorgen har ringet og fortalt, at min borger ikke er mødt op for at afsone sin "
        "dom. Han får kontanthjælp hos os. Kan jeg bare standse udbetalingen med det samme?",
    ),
    (
        "bif2017-035-afvist-tilbud-under-partshoering",
        "Borgeren sagde nej til det tilbud, vi havde fundet, og vi er gået i gang med "
        "partshøringen om en sanktion. Der står en anden borger og venter på pladsen – kan vi "
        "give den videre nu?",
    ),
    (
        "bif2017-036-journalisering-inden-kl-10",
        "Jeg havde samtale med en borger sent fredag eftermiddag og nåede ikke at skrive notatet. "
        "Er det et problem, hvis jeg først får journaliseret den mandag?",
    ),
    (
        "bif2017-037-udeblivelse-paa-foerste-moededag",
        "Min borger skulle starte hos en ekstern leverandør i mandags, men dukkede aldrig op. "
        "Leverandøren har kun sendt en sms til ham. Hvad skal de gøre nu, og tæller det som en "
        "afvisning?",
    ),
    (
        "bif2017-041-cv-sendt-ingen-afgoerelse",
        "Vi sendte borgerens CV til en virksomhed, der havde en ledig plads, men de valgte en "
        "anden kandidat. Skal borgeren så have en partshørt afgørelse med klagevejledning fra "
        "mig?",
    ),
    (
        "bif2017-044-omvisitation-under-virksomhedsplacering",
        "Min borger er i løntilskud og har opbrugt sin dagpengeret, så hun skal over på "
        "kontanthjælp. Kan hun blive i løntilskudsjobbet, mens vi behandler ansøgningen, eller "
        "skal forløbet stoppes?",
    ),
    (
        "bif2017-047-mentorens-statusrapport-er-ikke-en-samtale",
        "Borgeren har haft mentor i et halvt år, og mentoren har netop sendt sin statusrapport "
        "med en grundig beskrivelse af forløbet. Kan jeg lade den tælle som den samtale, der "
        "skulle holdes nu?",
    ),
    (
        "bif2017-016-laegeerklaering-ved-forlaengelse-af-revalidering",
        "Min revalidend dumpede sin sidste eksamen og skal have forlænget uddannelsen med et "
        "halvt år for at gå op igen. Er det virkelig nødvendigt at bede lægen om en ny erklæring "
        "bare for det?",
    ),
    (
        "bif2017-023-opfoelgning-paa-fleksjob-efter-2-5-aar",
        "En af mine borgere har været i fleksjob på samme arbejdsplads i snart tre år, og jeg "
        "taler jævnligt med arbejdsgiveren. Skal jeg alligevel indkalde til en opfølgningssamtale "
        "nu?",
    ),
    (
        "bif2017-027-uddannelsespaalaeg-og-jobsoegning",
        "Jeg har en ung på uddannelseshjælp med et uddannelsespålæg, som skal starte på en "
        "uddannelse til august. Skal jeg også snakke med ham om at søge arbejde indtil da, eller "
        "skal vi kun fokusere på uddannelsen?",
    ),
    (
        "bif2017-043-fastholdelsesfleksjob-principafgoerelse",
        "Min borger har været deltidsansat som led i sit ressourceforløb, men har ikke haft "
        "særlige vilkår i hele tolv måneder. Kan hun alligevel blive visiteret til fleksjob hos "
        "den samme arbejdsgiver?",
    ),
    (
        "bif2017-050-befordring-arbejdsgivers-godkendelse",
        "Borgeren har søgt om at få dækket transporten til sin nye arbejdsplads i Hillerød. Skal "
        "jeg have arbejdsgiveren til at skrive under på ansøgningen, før jeg kan bevilge?",
    ),
    (
        "bif2017-039-spoergsmaal-til-laegen",
        "Jeg har en sygemeldt borger, som jeg tror snart er klar til at arbejde igen. Hvordan "
        "formulerer jeg spørgsmålene, når jeg beder egen læge om en erklæring?",
    ),
    (
        "bif2017-008-loentilskud-i-kk-tillidsrepraesentant",
        "En daginstitution i kommunen vil gerne tage én af mine borgere ind i løntilskud, men "
        "arbejdspladsen har ingen tillidsrepræsentant. Hvem skal så godkende ansættelsen?",
    ),
    (
        "bplan2022-011-flygtninge-virksomhedsrettet-inden-foerste-maaned",
        "Vi har fået en ny flygtningefamilie, som netop har fået bolig her i byen, og faren er "
        "vurderet jobparat. Hvor hurtigt skal han i gang med praktik eller løntilskud?",
    ),
    (
        "bplan2022-016-repatriering-dedikeret-samtale",
        "Hun har boet her med opholdstilladelse i otte år, de seneste tre år mest på "
        "kontanthjælp. Skal hun kaldes ind til en særskilt samtale om at vende hjem?",
    ),
    (
        "bplan2022-003-jobformidleren-laver-den-forberedende-plan",
        "Jeg vil gerne have min borgers sag for rehabiliteringsteamet med henblik på et "
        "ressourceforløb. Er det mig som jobformidler, der skal skrive den forberedende plan, "
        "eller er det en anden?",
    ),
    (
        "bif2017-004-jobnet-aktivitetsparate",
        "Jeg har en aktivitetsparat kontanthjælpsmodtager, som aldrig logger ind på Jobnet. Kan "
        "jeg kræve, at han bruger det, og hvordan får han ellers sin plan?",
    ),
    (
        "bif2017-031-samtalekadence-jobparate-kontanthjaelp",
        "Jeg har rigtig mange jobparate kontanthjælpssager og kan ikke nå at se dem alle så tit. "
        "Hvor ofte skal jeg egentlig holde samtale med dem efter reglerne?",
    ),
    (
        "katalog-008-anden-aktoer-har-myndighedsopgaven",
        "Min borger er sendt ud til en anden aktør, men han ringer stadig til mig om sine "
        "samtaler og aktiveringer. Er det os eller den anden aktør, der har ansvaret for "
        "kontaktforløbet nu?",
    ),
    (
        "corona2020-005-beskaeftigelsesindsatsen-lukket-ved-bekendtgoerelse",
        "En borger klager over, at hun ikke fik nogen tilbud i foråret 2020, da alt var lukket. "
        "Hvorfor holdt vi ikke samtaler dengang, og hvem havde besluttet det?",
    ),
    (
        "bif2017-055-timetal-i-offentligt-loentilskud",
        "Min borger skal starte i et offentligt løntilskud, og vi er i tvivl om hun kan klare "
        "fuld tid. Hvem vurderer, hvor mange timer om ugen hun skal arbejde?",
    ),
    # informal and short
    (
        "bif2017-001-leverandoerrapporter",
        "er leverandørrapporter et krav i loven eller bare noget vi har fundet på",
    ),
    ("bif2017-002-udviklingsmaal-kbhijob", "lukker kbhijob.dk?"),
    (
        "bif2017-003-match-og-bevilling-af-placeringer",
        "hvem bevilger en praktikplads som erhvervshuset har fundet",
    ),
    (
        "bif2017-005-rehabilitering-indstilling-og-afgoerelse",
        "skal jeg lave afgørelse oven i indstillingen fra rehabteamet",
    ),
    ("bif2017-006-pakkeforloeb-sygedagpenge", "skal alle sygemeldte igennem et pakkeforløb"),
    (
        "bif2017-012-juridisk-postkasse",
        "hvor sender jeg juridiske spørgsmål hen, er der en hotline",
    ),
    (
        "bif2017-013-sagsbehandler-i-sof-csc-social",
        "hvor kan jeg se hvem borgerens socialrådgiver i SOF er",
    ),
    ("bif2017-021-krav-om-3-5-jobs", "skal de stadig søge 3-5 job om ugen"),
    (
        "bif2017-024-aarlig-revurdering-af-ledige-fleksjobberettigede",
        "årlig revurdering af fleksjobvisiterede ledige – kan den droppes?",
    ),
    ("bif2017-026-6-ugers-jobrettet-uddannelse", "hvor skal AR 237 blanketten hen"),
    (
        "bif2017-028-booking-af-uddannelsesstart-jku-cab",
        "er det JKU eller CAB der booker uddannelsesstart",
    ),
    ("bif2017-034-rettidig-aktivering", "kan vi selv rykke fristen for rettidig aktivering lidt"),
    ("bif2017-038-bevilling-af-arbejdstoej", "skal chefen godkende når jeg bevilger arbejdstøj"),
    ("bif2017-045-p-nummer-praktik-og-nytteindsats", "registreres praktik på p-nummer eller cvr"),
    (
        "bif2017-046-nytteindsats-er-ikke-arbejdsproevning",
        "kan nytteindsats bruges som arbejdsprøvning",
    ),
    ("bif2017-051-sikker-post-til-borgere", "må jeg skrive til borgeren på almindelig mail"),
    (
        "bif2017-053-udviklingsmaal-for-dagpengemodtagere-frivilligt",
        "er udviklingsmål obligatorisk for dagpengemodtagere",
    ),
    (
        "bplan2022-002-flere-skal-med-en-kontaktperson",
        "hvor mange kontaktpersoner har en borger der er aktivitetsparat i flere skal med",
    ),
    ("bplan2022-005-veteraner-en-indgang-og-eftervaern", "hvem tager sig af veteraner i BIF"),
    ("bplan2022-014-specialindsats-handicap-og-ips", "hvad står IPS for"),
    (
        "bplan2022-017-repatriering-oenske-ydelsesservice",
        "borger vil gerne flytte tilbage til sit hjemland, hvad gør jeg",
    ),
    (
        "corona2020-004-breve-i-e-boks-og-fysiske-breve",
        "fik folk uden e-boks brev om at jobcentret lukkede",
    ),
    (
        "corona2020-007-databeskyttelse-ved-samtaler-hjemmefra",
        "må jeg tage myndighedssamtaler hjemmefra",
    ),
    ("katalog-004-k-kasse-raadighed-og-sanktioner", "hvad betyder k-kasse"),
    (
        "katalog-005-gruppeindkaldte-samtaler",
        "kan vi indkalde en hel gruppe borgere til samtale samtidig",
    ),
    (
        "katalog-007-progressionsrapport-fra-leverandoeren",
        "hvad skal jeg bruge progressionsrapporten til",
    ),
    # typos and ae/oe/aa
    (
        "bif2017-010-opfoelgning-og-forlaengelse-af-praktik",
        "hvem aftaler forlaengelse af virksomhedspraktikken",
    ),
    (
        "bif2017-015-samtalekoncept-sygedagpenge",
        "skal sygedagpengemodtagere altid have fem samtaeler",
    ),
    (
        "bif2017-025-fleksjob-min-plan-og-aftalefelt",
        "hvad skriver jeg i aftalefeltet for en fleksjobberetiget",
    ),
    (
        "bif2017-033-mentorer-hos-eksterne-leverandoerer",
        "kan mentoren hos leverandoeren se hele journalen",
    ),
    (
        "bif2017-042-opfoelgning-paa-virksomheder-efter-behov",
        "er der lovkrav om ugentlig opfoelgning paa virksomheden",
    ),
    (
        "bif2017-048-afslutning-af-revalidering",
        "hvilket jobcenter hører borgeren til efter revalideringen slutter",
    ),
    (
        "bif2017-052-sanktion-ved-gentagne-udeblivelser",
        "hvorfor skal vi lave opsoegende arbejde foer en sanktion naar borgeren bliver ved med at "
        "udeblive",
    ),
    (
        "bplan2022-008-opkvalificering-fra-foerste-ledighedsdag",
        "har ledige ret til kursus fra foerste ledighedsdag",
    ),
    (
        "bplan2022-010-flygtninge-samtaler-paa-asylcentret",
        "hvad snakker vi med flygtningene om på asylcentert",
    ),
    (
        "bplan2022-013-borgere-med-handicap-kategoriseres-ikke",
        "skal jeg registrere borgerens handikap",
    ),
    (
        "corona2020-001-kritiske-funktioner-under-nedlukningen",
        "blev ydelserne udbetalt under coronanedlukningen",
    ),
    (
        "corona2020-008-fysisk-fremmoede-fra-15-juni",
        "hvornaar kom borgerne fysisk i jobcentret igen efter corona",
    ),
    (
        "katalog-009-anden-aktoers-jobplaner-i-opera",
        "er det os der skal indtaste jobplanerne fra anden aktør i opera",
    ),
    # references
    (
        "bif2017-030-udeblevet-fra-afsoning-kontanthjaelp",
        "giver LAS § 10 a hjemmel til at stoppe kontanthjælpen ved manglende afsoning?",
    ),
    (
        "bif2017-027-uddannelsespaalaeg-og-jobsoegning",
        "hvad siger § 21 b, stk. 8 om dagpengemodtagere med uddannelsespålæg",
    ),
    (
        "bif2017-043-fastholdelsesfleksjob-principafgoerelse",
        "hvad har Ankestyrelsen sagt i principafgørelse 44-17",
    ),
    (
        "bif2017-018-telefoniske-jobsamtaler-i-praktik",
        "undtager LAB § 16 a, stk. 5 borgere i tilbud fra personligt fremmøde?",
    ),
    (
        "bplan2022-001-aarlig-beskaeftigelsesplan",
        "hvad skal den årlige beskæftigelsesplan efter loven om organisering indeholde",
    ),
)

# Added for issue 13 (caseworkers who describe the case first, ask two things at once, write
# informally or with abbreviations): one more paraphrase for every note that had none, written from
# the notes, and unanswerable questions in the same style (checked against the note texts: no note
# states the rule they ask for). Without them the split held few long questions, and the calibrated
# confidence refused realistic questions whose note ranked first.
PARAPHRASES += (
    (
        "bif2017-007-registrering-hjaelpemidler-samtykke",
        "Min aktivitetsparate borger har fået et hjælpemiddel bevilget. Skal jeg skrive det i "
        "journalen også, eller er blanketten nok, og skal samtykket ligge i Min Plan?",
    ),
    (
        "bif2017-009-sagsbehandlingsfrister-hjemviste-sager",
        "Ankestyrelsen har sendt en afgørelse retur til os, og borgeren har ventet længe. Hvor "
        "hurtigt skal den nye afgørelse så komme i en hjemvist sag?",
    ),
    (
        "bif2017-011-ferievejledning-og-brevskabeloner",
        "jeg glemmer tit at sige noget om ferie til mine borgere til samtalerne. skal jeg "
        "egentlig vejlede om retten til ferie hver gang?",
    ),
    (
        "bif2017-014-revalidender-over-30-jku",
        "Min revalidend i JKU fylder 30 i næste måned, og revalideringen kører stadig. Skal hun "
        "så flyttes over til JKA?",
    ),
    (
        "bif2017-017-video-i-samtaler-sygedagpenge",
        "Vi har en sygemeldt på sdp, der har svært ved at komme ind til os. Kan vi holde "
        "opfølgningssamtalen over video i stedet for fremmøde?",
    ),
    (
        "bif2017-019-samtaleskema-aktivitetsparate-unge",
        "En ung AP-borger på uddannelseshjælp skal udfylde skemaet hver 8. uge, men kan ikke "
        "selv. Må beskæftigelsescentret bare udfylde det for hende?",
    ),
    (
        "bif2017-029-erhvervsuddannelseslister",
        "En ledig vil gerne være voksenlærling som elektriker. Hvilke lister over "
        "erhvervsuddannelser skal jeg kigge på, før jeg siger god for det?",
    ),
    (
        "bif2017-032-video-ved-faellessamtalen-med-a-kassen",
        "A-kassen spørger, om de ikke bare kan være med på skærm til den fælles samtale frem for "
        "fysisk fremmøde hos os. Er det i orden?",
    ),
    (
        "bif2017-040-aendringer-i-brevskabeloner",
        "Vores brev om partshøring er svært at forstå for borgerne, og jeg vil gerne omskrive "
        "det. Må vi selv lave om i skabelonen?",
    ),
    (
        "bif2017-049-revideret-samtalekoncept-dagpenge",
        "Jeg har en dagpengemodtager til første samtale i morgen. Skal jeg stadig aftale konkrete "
        "job, hun skal søge, efter det nye samtalekoncept?",
    ),
    (
        "bif2017-054-eet-indkaldelsesbrev-fra-leverandoeren",
        "Leverandøren har sendt to breve til min borger om det samme forløb, og han er forvirret. "
        "Hvor mange indkaldelsesbreve skal borgeren have fra en ekstern leverandør?",
    ),
    (
        "bif2017-056-laegeoplysninger-i-sager-til-ankestyrelsen",
        "En borger har klaget, og sagen skal til Ankestyrelsen, men lægeattesten er to år "
        "gammel. Er det mig, der skal skaffe en ny?",
    ),
    (
        "bif2017-057-faellessamtaler-med-a-kasser-ny-model",
        "hvordan er det nu med fællessamtalerne med a-kassen for dagpengefolk, er der kommet en "
        "ny måde at indkalde på?",
    ),
    (
        "bif2017-058-fravaersaarsager-ved-sygemelding-i-opera",
        "Jeg sidder og registrerer en sygemelding i OPERA, og ingen af fraværsårsagerne passer. "
        "Hvem har bestemt listen, og hvad vælger jeg så?",
    ),
    (
        "bif2017-059-joblog-usynlig-jobsoegning",
        "Min borger siger, hun søger masser af stillinger uden opslag, men logger kun de to. Har "
        "vi hjemmel til at kræve det hele dokumenteret på Jobnet?",
    ),
    (
        "bplan2022-004-afklaringspuljen-8-ud-af-10-aar",
        "En af mine borgere har været på kth næsten uafbrudt i ni år. Hører han under "
        "afklaringspuljen, og hvad skal vi afklare?",
    ),
    (
        "bplan2022-006-aftaler-om-jobsoegning-og-henvisning",
        "En virksomhed har en ledig stilling, der passer til min jobparate borger. Kan jeg "
        "henvise ham til en jobsamtale hos dem med mødepligt?",
    ),
    (
        "bplan2022-007-skift-af-jobcenter-ved-30-aar",
        "Min borger i ungeindsatsen fylder snart 30. Skifter han så jobcenter, og hvordan "
        "foregår overgangen?",
    ),
    (
        "bplan2022-009-sigtelinjer-for-uddannelse",
        "Vi skal prioritere, hvem der får uddannelse i år. Hvad siger sigtelinjerne om, hvad "
        "jobcentret skal lægge vægt på?",
    ),
    (
        "bplan2022-012-flygtninge-mentorer-og-fastholdelse",
        "En nyankommen flygtning er lige startet i virksomhedspraktik. Kan han få en mentor, og "
        "hvad gør vi for at han bliver i jobbet bagefter?",
    ),
    (
        "bplan2022-015-repatriering-vejledning-i-alle-samtaler",
        "Borgeren kom til Danmark for tre år siden og er på integrationsydelse. Skal jeg nævne "
        "muligheden for at rejse hjem til hver eneste samtale?",
    ),
    (
        "bplan2022-018-ministermaal-ingen-pligt",
        "Ledelsen taler meget om ministerens beskæftigelsesmål. Er vi som kommune bundet af dem, "
        "eller er det kun en retning?",
    ),
    (
        "corona2020-002-noedindgange-gammel-koege-landevej-og-laerkevej",
        "En borger spørger, hvor hun kunne få hjælp til sin kontanthjælpsansøgning, da alt var "
        "lukket i 2020. Var der nogen steder, der havde åbent?",
    ),
    (
        "corona2020-003-telefonisk-kontakt-under-nedlukningen",
        "kunne folk overhovedet få fat i os på telefonen under nedlukningen, og hvor fandt de "
        "information om at søge kontanthjælp?",
    ),
    (
        "corona2020-006-frivillig-kontakt-telefon-og-digitale-moeder",
        "En borger klager over, at vi ringede til ham under nedlukningen. Var han forpligtet til "
        "at tage telefonen og deltage i de digitale møder?",
    ),
    (
        "katalog-001-faste-kontaktpersoner-til-leverandoerer",
        "Der går meget tid med at ringe rundt til leverandørerne. Var der ikke engang et forslag "
        "om faste kontaktpersoner til dem?",
    ),
    (
        "katalog-002-central-afklaringsenhed",
        "Afklaringssagerne behandles i flere forskellige teams. Har man overvejet at samle dem i "
        "én enhed?",
    ),
    (
        "katalog-003-ydelsesservice-skranke-i-jobcentret",
        "Borgerne skal tit videre til Ydelsesservice efter samtalen hos os. Var der et forslag om "
        "en skranke fra Ydelsesservice i selve jobcentret?",
    ),
    (
        "katalog-004-k-kasse-raadighed-og-sanktioner",
        "Jeg er i tvivl om, hvordan vi håndterer en sanktion for en kontanthjælpsmodtager, der "
        "ikke står til rådighed. Hvor er processen beskrevet, og hvad er K-kassen?",
    ),
    (
        "katalog-005-gruppeindkaldte-samtaler",
        "Vi har mange udeblivelser og tomme huller i kalenderen. Hvordan fungerer det, når "
        "borgerne indkaldes i grupper til samme tidsrum?",
    ),
    (
        "katalog-006-faerre-jobsamtaler",
        "Vi holder vist flere samtaler med de arbejdsmarkedsparate på kth end med "
        "dagpengemodtagerne. Kunne vi skære ned på antallet?",
    ),
    (
        "katalog-007-progressionsrapport-fra-leverandoeren",
        "Forløbet hos leverandøren er slut for min borger. Hvad skal der stå i deres afsluttende "
        "rapport, og hvad bruger vi den til?",
    ),
    (
        "katalog-008-anden-aktoer-har-myndighedsopgaven",
        "Min borger er udlagt til en anden aktør, men ringer stadig til mig om sine samtaler. Er "
        "det os eller dem, der har ansvaret nu?",
    ),
    (
        "katalog-009-anden-aktoers-jobplaner-i-opera",
        "Den anden aktør har lavet en jobplan med min borger, men jeg kan ikke se den i OPERA. "
        "Hvem skal taste den ind?",
    ),
    (
        "kl2020-001-friere-rammer-og-faelleserklaering",
        "Under corona blev personale fra daginstitutioner sendt ud på plejehjem. Hvilken aftale "
        "mellem KL og de faglige organisationer gjorde det muligt?",
    ),
    (
        "kl2020-002-suspenderet-beskaeftigelsesindsats",
        "Mens indsatsen var suspenderet i 2020, holdt vi virtuelle jobklubber. Kunne de ledige "
        "sige nej til at være med uden konsekvenser?",
    ),
)

IN_DOMAIN += (
    "Min borger på kth har fået et arbejde i Sverige og vil pendle. Kan hun beholde "
    "kontanthjælpen i opstarten, og hvilken paragraf gælder?",
    "Borgeren er sygemeldt og skal opereres i næste uge. Hvor mange uger kan han få "
    "sygedagpenge, før vi skal lave en revurdering?",
    "Vi har en borger, der har fået en bøde for spirituskørsel og mister kørekortet. Kan vi "
    "bevilge ham et nyt kørekort som led i et tilbud?",
    "En ung under 25 vil starte på gymnasiet i august. Kan hun få uddannelseshjælp i sommerferien "
    "indtil hun starter, og hvor meget?",
    "borger har fået en arv på 200.000 kr, skal vi stoppe kth med det samme eller kan han beholde "
    "noget af den",
    "Min borger er gravid i 7. måned og har svært ved at møde op. Kan vi fritage hende fra "
    "aktivering, og hvornår starter barslen?",
    "Jeg har en fleksjobber, der vil arbejde færre timer. Hvordan genberegner vi "
    "fleksløntilskuddet, og hvornår træder det i kraft?",
    "En borger på integrationsydelse vil tage på familiebesøg i Tyrkiet i seks uger. Mister han "
    "ydelsen, og hvem skal han give besked?",
    "Borgeren har klaget over en afgørelse om sanktion. Hvor lang tid har han til at klage, og "
    "skal vi genvurdere sagen først?",
    "Min borger er anbragt på et forsorgshjem uden fast adresse. Kan vi udbetale kontanthjælp til "
    "en anden konto end hans egen?",
    "En pensionist vil gerne være frivillig mentor for vores borgere. Kan vi betale hende et "
    "honorar, og skal det indberettes?",
    "Vi har en ledig med dansk statsborgerskab, der bor i Malmø. Hvilken kommune har "
    "ansvaret for hans jobsamtaler?",
)
UNANSWERABLE = OFF_TOPIC + IN_DOMAIN
