package main

// Hand-curated vocabulary: lay names patients actually type, and the
// clean-up of the medical-tourism treatment names. In the tables below,
// multi-valued fields are "|"-separated strings to keep them compact.

// priceTreatment is one of the 21 treatments of
// intl_treatment_prices_by_country.csv.
type priceTreatment struct {
	PriceKey string // the "treatment" value in the price table
	Name     string
	Cat      string
	Lay      string
	Aliases  string // medical-tourism facility treatment names meaning the same
	Includes string // what the country-level figure is for
}

var priceTreatments = []priceTreatment{
	{"Knee Replacement", "Knee replacement", catOrtho,
		"knee replacement|total knee replacement|new knee|knee arthroplasty|TKR|joint replacement|partial knee replacement",
		"Total Knee Replacement|Unicondylar Knee Replacement", "Surgery and hospital stay, one knee"},
	{"Hip Replacement", "Hip replacement", catOrtho,
		"hip replacement|total hip replacement|new hip|hip arthroplasty|THR|joint replacement",
		"Total Hip Replacement", "Surgery and hospital stay, one hip"},
	{"Rhinoplasty", "Rhinoplasty", catCosmetic,
		"nose job|nose reshaping|nose surgery|nose reconstruction|cosmetic nose surgery",
		"Rhinoplasty (Nose Repair/Reconstruction)|Primary Rhinoplasty", "Surgeon, anaesthesia and clinic fees"},
	{"IVF Treatment", "In vitro fertilisation (IVF)", catFertility,
		"IVF|test tube baby|in vitro fertilization|fertility treatment|ICSI",
		"In Vitro Fertilization (IVF)|ICSI (Intracytoplasmic Sperm Injection)", "One IVF cycle"},
	{"Lasik (both eyes)", "LASIK laser eye surgery", catOphth,
		"lasik|laser eye surgery|laser vision correction|refractive surgery",
		"Conventional Lasik|Lasik with Interlase (All Laser LASIK)", "Both eyes"},
	{"Cataract surgery (per eye)", "Cataract surgery", catOphth,
		"cataract removal|cataract operation|phacoemulsification|phaco|lens replacement",
		"Cataract Surgery – Phacoemulsification|Cataract with Phaco and Foldable Lens|Cataract with Phaco and Multifocal Foldable Lens",
		"Per eye, including lens implant"},
	{"Dental Implant", "Dental implant", catDental,
		"dental implants|tooth implant|teeth implants|all-on-4|all-on-6",
		"Dental Implants|All on Four System with Fixed Acrylic Bridge|All on Six System with Megagen Implants|All on Six System with Nobel Biocare Implants",
		"Per implant"},
	{"Gastric Sleeve", "Gastric sleeve", catBariatric,
		"sleeve gastrectomy|weight loss surgery|stomach reduction|bariatric surgery",
		"Laparoscopic Sleeve Gastrectomy|Vertical Sleeve Gastrectomy", "Surgery and hospital stay"},
	{"Gastric Bypass", "Gastric bypass", catBariatric,
		"weight loss surgery|stomach bypass|roux-en-y bypass|mini gastric bypass|bariatric surgery",
		"Gastric Bypass|Mini ByPass Surgery", "Surgery and hospital stay"},
	{"Heart Bypass", "Heart bypass surgery", catCardio,
		"CABG|coronary artery bypass|bypass surgery|triple bypass|open heart surgery",
		"Coronary Artery Bypass Graft (CABG)", "Surgery and hospital stay"},
	{"Breast Implants", "Breast implants", catCosmetic,
		"breast augmentation|boob job|breast enlargement|augmentation mammoplasty",
		"Breast Augmentation|Breast Augmentation (With/Including Implants)", "Surgery and implants"},
	{"Tummy Tuck", "Tummy tuck", catCosmetic,
		"abdominoplasty|mini tummy tuck|stomach tuck",
		"Abdominoplasty (Tummy Tuck)|Abdominoplasty: Mini Tummy Tuck|Full Tummy Tuck - Abdominoplasty|Abdominoplasty & Liposuction",
		"Surgeon, anaesthesia and clinic fees"},
	{"Face Lift", "Face lift", catCosmetic,
		"facelift|rhytidectomy|face and neck lift",
		"Face Lift Surgery|Face & Neck Lift (Rhytidectomy)|Endoscopic Facelift|Macs Face Lift",
		"Surgeon, anaesthesia and clinic fees"},
	{"Liposuction", "Liposuction", catCosmetic,
		"lipo|fat removal|liposculpture",
		"Liposuction", "One or more areas, surgeon and clinic fees"},
	{"Hysterectomy", "Hysterectomy", catObGyn,
		"womb removal|uterus removal|removal of the uterus",
		"Total Abdominal Hysterectomy|Laparoscopic Vaginal Hysterectomy|Vaginal Hysterectomy",
		"Surgery and hospital stay"},
	{"Spinal Fusion", "Spinal fusion", catOrtho,
		"spine fusion|back fusion|lumbar fusion|back surgery",
		"Spinal Fusion|Transformational Lumbar Interbody Fusion|Posterior Lumbar Interbody Fusion",
		"Surgery and hospital stay"},
	{"Angioplasty", "Angioplasty", catCardio,
		"stent|coronary stent|balloon angioplasty|PCI|PTCA",
		"Coronary Angioplasty|Percutaneous Transluminal Coronary Angioplasty with or without Stent",
		"Procedure with one stent"},
	{"Heart Valve Replacement", "Heart valve replacement", catCardio,
		"valve replacement|aortic valve replacement|AVR|mitral valve replacement",
		"AVR-Aortic Valve Replacement|AVR – Aortic Valve Replacement|Single Valve Replacement|Double Valve Replacement|Minimally Invasive Surgery - Aortic and Mitral Valve Replacements",
		"Surgery and hospital stay"},
	{"Hip Resurfacing", "Hip resurfacing", catOrtho,
		"hip resurfacing|surface hip replacement|Birmingham hip",
		"Surface Hip Replacement", "Surgery and hospital stay"},
	{"Lap Band", "Lap band surgery", catBariatric,
		"gastric band|lap band|gastric banding|weight loss surgery",
		"Lap. Gastric Banding", "Surgery and band"},
	{"Cornea (per eye)", "Cornea transplant", catOphth,
		"corneal transplant|keratoplasty|corneal graft",
		"Cornea Transplantation", "Per eye"},
}

// facTreatment is a cleaned treatment derived from the facility listings.
// It is included only if its aliases occur at two or more facilities.
type facTreatment struct {
	Name, Cat, Lay, Aliases string
}

var facTreatments = []facTreatment{
	// Dental
	{"Teeth whitening", catDental, "tooth whitening|laser teeth whitening|bleaching", "Laser Teeth Whitening|Tooth Whitening"},
	{"Root canal treatment", catDental, "root canal|endodontic treatment", "Root Canal Treatment|Retractment of Root Canal Treatment|Therapeutic Pulpotomy (Excluding Final Restoration)"},
	{"Dental fillings", catDental, "filling|tooth filling|cavity filling", "Fillings|Composite Fillings"},
	{"Partial dentures", catDental, "partial denture|removable denture", "Partial Dentures|Overdenture - Partial"},
	{"Full dentures", catDental, "false teeth|complete dentures|full denture", "Full Denture, Acrylic Teeth (Upper or Lower)|Full Denture, Porcelain Teeth (Upper or Lower)|Complete Denture Mandibular|Complete Denture Maxillary|Overdenture - Complete|Implant Supported Overdenture, Removable (With 2 Implants)|Implant Supported Overdenture, Removable (With 3 Implants)"},
	{"Dental crowns and bridges", catDental, "tooth crown|dental cap|zirconia crown|porcelain crown|dental bridge", "Crown - Porcelain/Ceramic|Zirconia Crown|Crown – Indirect Resin Based Composite|Crown-Porcelain Fused to High Noble Metal|Crown-Porcelain Fused to Predominantly Base Metal|Crown-Full Cast Predominantly Base Metal|Crown-Porcelain Fused to Noble Metal|Crowns and Bridges – Full Ceramic (Per Tooth)|Crowns and Bridges – Metal (Per Tooth)|Crowns and Bridges – Porcelain Fused to Metal (Per Tooth)|Crowns and Bridges – Procera (Per Tooth)"},
	{"Dental veneers", catDental, "veneers|porcelain veneers|laminates", "Veneers/Laminates|Porcelain Veneer"},
	{"Tooth extraction", catDental, "tooth removal|pulling a tooth", "Extraction (Simple)|Extraction, Erupted Tooth or Exposed Root"},
	{"Wisdom tooth extraction", catDental, "wisdom tooth removal|wisdom teeth|impacted tooth", "Extraction - Wisdom Tooth|Removal of Impacted Tooth - Completely Bony|Removal of Impacted Tooth - Partially Bony|Removal of Impacted Tooth - Soft Tissue"},
	{"Teeth cleaning", catDental, "scale and polish|dental cleaning|oral prophylaxis|dental scaling", "Regular Teeth Cleaning|Oral Prophylaxis - Cleaning and Polishing|Peridontal Scaling and Root Planing|Subgingival Curettage and Root Planing"},
	{"Gum surgery", catDental, "periodontal surgery|gingivectomy|flap surgery", "Gum Surgery|FLAP Surgery or Gingivectomy (Full Month Per Quadrant)|Periodonaal Flap Surgery or Gingivectomy"},
	{"Orthodontic braces", catDental, "braces|Invisalign|clear aligners|teeth straightening", "Braces|Invisalign|Fixed Appliance Therapy|Removable Appliance Therapy"},
	{"Corrective jaw surgery", catDental, "orthognathic surgery|jaw surgery", "Corrective Jaw Surgery|Surgery for Fractures of the Jaw"},
	// Cosmetic surgery
	{"Eyelid surgery (blepharoplasty)", catCosmetic, "blepharoplasty|eyelid lift|droopy eyelids|eye bags", "Eyelid Surgery - Upper and Lower|Eye Lid Lift - Blepharoplasty|Blepharoplasty (Upper and Lower Combined)"},
	{"Breast lift", catCosmetic, "mastopexy|breast uplift", "Breast Lift|Mastopexy (Breast Lift)|Breast Lift with Implants"},
	{"Breast reduction", catCosmetic, "reduction mammoplasty", "Breast Reduction"},
	{"Breast reconstruction", catCosmetic, "breast rebuilding after mastectomy", "Breast Reconstruction"},
	{"Breast implant removal", catCosmetic, "explant surgery", "Breast Implant Removal"},
	{"Fat transfer breast augmentation", catCosmetic, "natural breast augmentation|fat grafting to breast", "Breast Augmentation with Fat Natural Breast"},
	{"Hair transplant", catCosmetic, "hair restoration|FUE|baldness treatment|hair loss treatment", "Hair Transplant|Hair Loss and Hair Transplant"},
	{"Calf augmentation", catCosmetic, "calf implants", "Calf Augmentation"},
	{"Lip reduction", catCosmetic, "cheiloplasty", "Lip Reduction"},
	{"Lip enhancement", catCosmetic, "lip augmentation|lip contouring|lip lift", "Lip Contouring|Lip Augmentation|Endo Laser-Lip-Lift"},
	{"Thigh lift", catCosmetic, "thighplasty", "Thigh Lift"},
	{"Arm lift (brachioplasty)", catCosmetic, "brachioplasty|bingo wings surgery", "Arm Lift|Arms (Brachioplasty)"},
	{"Buttock lift", catCosmetic, "butt lift", "Buttock Lift"},
	{"Buttock augmentation", catCosmetic, "Brazilian butt lift|BBL|buttock implants", "Buttocks Augmentation"},
	{"Body lift and contouring", catCosmetic, "body contouring|body lift|skin removal after weight loss", "Body Contouring After Massive Weight Loss|Body Lift|Total Body Lift with Body Constouring|Lower Body Lift|Upper Body Lift"},
	{"Chin surgery (mentoplasty)", catCosmetic, "chin augmentation|genioplasty|chin implant", "Mentoplasty|Genioplasty-Chin Advancement|Chin Implant"},
	{"Jaw augmentation", catCosmetic, "jawline contouring", "Jaw Augmentation"},
	{"Cheek augmentation", catCosmetic, "cheek implants|malar augmentation", "Malar Augmentation, Prosthetic Material"},
	{"Gynaecomastia surgery", catCosmetic, "male breast reduction|gynecomastia surgery", "Gynecomastia Surgery|Male Breast Reduction (Gynecomastia)"},
	{"Otoplasty (ear pinning)", catCosmetic, "ear pinning|ear correction|bat ears", "Otoplasty/Ear Deformity Repair and Reconstruction"},
	{"Non-surgical otoplasty", catCosmetic, "ear correction without surgery", "Non-Surgical Otoplasty"},
	{"Non-surgical rhinoplasty", catCosmetic, "liquid nose job|nose filler", "Non-surgical Rhinoplasty"},
	{"Neck lift", catCosmetic, "cervicoplasty|platysmaplasty", "Neck Lift|Cervicoplasty (Neck Lift)"},
	{"Dimple creation", catCosmetic, "dimpleplasty", "Dimple Creation"},
	{"Canthoplasty", catCosmetic, "eye corner lift|cat eye surgery", "Canthoplasty, Lifting the Outside of the Eye"},
	{"Laser lipolysis", catCosmetic, "laser lipo|smartlipo", "Laser Lipolysis|Accusculpt® Laserlipolysis"},
	// Dermatology and non-surgical aesthetics
	{"Acne treatment", catDerm, "acne|pimples|spots", "Acne"},
	{"Anti-ageing treatment", catDerm, "anti-aging|ageing skin|skin rejuvenation", "Aging Skin|Anti-Aging"},
	{"Skin care treatment", catDerm, "skincare|facial", "Skincare"},
	{"Botox injections", catDerm, "botox|botulinum toxin|anti-wrinkle injections", "Botox|Botulinum Toxin"},
	{"Dermal fillers", catDerm, "facial fillers|fillers|lip fillers", "Facial Fillers|Fillers"},
	{"Laser hair removal", catDerm, "hair removal|permanent hair removal", "Laser Hair Removal|Hair Removal"},
	{"Scar revision", catDerm, "scar removal|scar treatment", "Scar Removal"},
	{"Wrinkle treatment", catDerm, "wrinkle removal|wrinkles", "Wrinkles Removal"},
	{"Chemical peel", catDerm, "facial peel|skin peel|deep chemical peel", "Facial Peels|Deep Chemical Peel|Obagi Blue Peel"},
	{"Microdermabrasion", catDerm, "skin polishing", "Microdermabrasion"},
	{"Dermabrasion", catDerm, "skin resurfacing", "Dermabrasion"},
	{"Fractional laser resurfacing", catDerm, "Fraxel|laser skin resurfacing", "FRAXEL|Laser Skin Surfacing"},
	{"Vitiligo treatment", catDerm, "vitiligo|white patches", "Vitiligo"},
	{"Ultrasound cavitation", catDerm, "cavitation|non-surgical fat reduction", "Cavitation"},
	{"LPG endermologie", catDerm, "endermologie|cellulite treatment", "LPG-Endermologie"},
	{"Electrolipolysis", catDerm, "electro lipolysis", "Electrolipolysis"},
	{"LED photodynamic therapy", catDerm, "LED light therapy|photodynamic therapy", "LED Light Photodynamic Therapy (PTD)"},
	{"Thermage skin tightening", catDerm, "Thermage|radiofrequency skin tightening", "Thermage®"},
	{"Mesotherapy", catDerm, "skin booster injections", "Mesotherapy"},
	// Ophthalmology
	{"Glaucoma surgery", catOphth, "glaucoma treatment|trabeculectomy", "Glaucoma Surgery"},
	{"Eye allergy treatment", catOphth, "allergic conjunctivitis|itchy eyes", "Eye Allergy Diagnosis and Treatment"},
	{"Vitrectomy", catOphth, "vitreous surgery|retina surgery", "Vitrectomy|Vitrectomy + Retinal Detachment"},
	{"Retinal detachment surgery", catOphth, "detached retina repair", "Retinal Detachment"},
	{"Tear duct surgery (DCR)", catOphth, "dacryocystorhinostomy|blocked tear duct|DCR", "Endoscopic Surgery for DCR"},
	// Orthopaedics
	{"Knee arthroscopy", catOrtho, "keyhole knee surgery|knee scope|arthroscopic knee surgery", "Arthroscopic Knee"},
	{"Shoulder arthroscopy", catOrtho, "keyhole shoulder surgery|rotator cuff repair|shoulder stabilisation", "Arthroscopic Shoulder|Shoulder Stabilization (Arthroscopic Procedures)|Subacromial Decompression (Shoulder) Rotator Cuff repair (Arthroscopic Procedures)|Arthroscopic Ligament Reconstruction (Shoulder – Bankart)"},
	{"Joint replacement revision", catOrtho, "revision knee replacement|revision hip replacement|redo joint replacement", "Unilateral Total Knee Replacement Revision|Bilateral Total Knee Replacement Revision|Unilateral Total Hip Replacement Revision"},
	{"Joint replacement", catOrtho, "joint replacement surgery|arthroplasty", "Joint Replacement|Joint Reconstruction"},
	{"Elbow replacement", catOrtho, "total elbow replacement|elbow arthroplasty", "Total Elbow Replacement"},
	{"Shoulder replacement", catOrtho, "total shoulder replacement|shoulder arthroplasty", "Total Shoulder Replacement"},
	{"Spine surgery", catOrtho, "back surgery|spinal surgery", "Spine Surgery|Corrective Surgery for Kyphosis/Scoliosis|Vertebroplasty"},
	{"Hand surgery", catOrtho, "hand injury surgery|hand reconstruction", "Hand Surgery (Trauma)|Complex Hand Surgeries (Microreconstruction/Repair)|Wrist Surgery"},
	{"Sports injury treatment", catOrtho, "sports medicine|sports injuries", "Sports Injuries|Sports Medicine"},
	{"Osteoporosis treatment", catOrtho, "osteoporosis|brittle bones", "Osteoporosis"},
	{"Limb deformity correction", catOrtho, "deformity correction|limb straightening", "Deformity Correction"},
	{"Foot and ankle deformity correction", catOrtho, "foot deformity|bunion", "Foot & Ankle Deformity|Ankle Fusion/Replacement"},
	{"Flat feet treatment", catOrtho, "flat feet|fallen arches", "Flat Feet"},
	{"Capsulitis treatment", catOrtho, "capsulitis|joint capsule inflammation", "Capsulitis"},
	{"Tendinosis treatment", catOrtho, "tendinosis|chronic tendon pain", "Tendinosis"},
	{"Tendon disorder treatment", catOrtho, "tendon problems|tendinopathy", "Tendon Dysfunctions"},
	{"Bursitis treatment", catOrtho, "bursitis", "Bursitis"},
	{"De Quervain's tenosynovitis treatment", catOrtho, "de Quervain's tenosynovitis|wrist tendon pain", "Dequervain's Tenosynovitis"},
	{"Subluxation treatment", catOrtho, "partial dislocation|subluxation", "Subluxations"},
	{"Chronic low back pain treatment", catOrtho, "back pain|lower back pain", "Chronic Low Back Pain"},
	{"Ankylosing spondylitis treatment", catOrtho, "ankylosing spondylitis|Bechterew disease", "Ankylosing Spondylitis"},
	{"Clubfoot correction", catOrtho, "club foot|CTEV|talipes", "Clubfoot - Congenital Tallipes Equinovarus (CTEV)"},
	{"Multiple hereditary exostoses treatment", catOrtho, "MHE|multiple osteochondromas|bone growths", "MHE(Multiple Hereditary Exostoses)"},
	{"Amputation", catOrtho, "limb amputation|amputation surgery", "Amputations"},
	{"Ilizarov fracture treatment", catOrtho, "Ilizarov frame|polytrauma surgery", "Polytrauma - Ilizarov"},
	{"Bone cancer (osteosarcoma) treatment", catOnco, "osteosarcoma|bone cancer", "Osteosarcoma"},
	// Cardiology and vascular
	{"Coronary angiography", catCardio, "angiogram|heart catheterisation|cardiac catheterization|cardiac cath", "Coronary Angiography|Cardiac Catheterization and Angiography Coronary|Catheter Angiography"},
	{"Pacemaker implantation", catCardio, "pacemaker|pacemaker fitting", "Permanent Pacemaker Implantation (PPI) - Single|Permanent Pacemaker Implantation (PPI) Double Chamber|Pacemaker Implantaion - Double Chamber|Pacemaker Implantation - Single Chamber|Pacemaker/AICD Implantations"},
	{"ICD implantation", catCardio, "implantable defibrillator|ICD", "Implantable Cardioverter Defibrillator (ICD)"},
	{"Balloon valvuloplasty", catCardio, "valvuloplasty|balloon valve repair", "Balloon Aortic Valvuloplasty|Balloon Pulmonary Valvuloplasty|Balloon Mitral Valvuloplasty|Balloon Valvuloplasty (Mitral, Pulmonary, Aortic)"},
	{"Cardiac radiofrequency ablation", catCardio, "catheter ablation|radiofrequency ablation|RFA", "Radiofrequency Ablation"},
	{"Electrophysiology study", catCardio, "EP study|heart rhythm study", "Electrophysiological Study"},
	{"ASD closure", catCardio, "atrial septal defect closure|hole in the heart", "Atrial Septal Defect Closure (ASD)"},
	{"Adult congenital heart surgery", catCardio, "GUCH surgery|congenital heart disease surgery", "GUCH (Grown Up Congenital Heart) Surgery|Redo Congenital Heart Surgery"},
	{"Hypertension management", catCardio, "high blood pressure|hypertension", "Hypertension"},
	{"Varicose vein treatment", catVascular, "varicose veins|vein stripping|spider veins", "Varicose Vein Stripping|Varicose Veins/ Venous Disorders - Single Limb|Varicose Veins/Venous Disorders - Bilateral"},
	{"Peripheral vascular surgery", catVascular, "leg artery surgery|peripheral artery disease surgery|PAD", "Peripheral Vascular Surgery|Aorto-Femoral Bypass"},
	{"Peripheral angioplasty", catVascular, "leg angioplasty|renal angioplasty|peripheral stent", "Peripheral & Renal Angioplasty|Percutaneous Transluminal Peripheral Angioplasty with or without Stent|Angioplasty and Vascular Stenting"},
	{"Aortic aneurysm repair", catVascular, "aneurysm surgery|EVAR|AAA repair", "Aneurysm Surgery - Iliac Endo|Aneurysm Surgery - Iliac Open|Abdominal Aortic Aneurysm Repair: Endovascular (Elective)|Abdominal Aortic Aneurysm Repair: Endovascular (Emergency)|Abdominal Aortic Aneurysm Repair: Open (Elective)|Endovascular Repair of Thoracic Aortic Aneurysm - Elective|Endovascular Repair of Thoracic Aortic Aneurysm - Emergency"},
	{"Vascular access surgery", catVascular, "dialysis access|AV fistula", "ascular Access"},
	{"Carotid artery surgery", catVascular, "carotid endarterectomy|carotid stenting", "Carotid Endarterectomy|Carotid Stenting|Angioplasty & Stenting of Carotid Artery|Carotid Surgery/Stroke Surgery"},
	// Gastroenterology and general surgery
	{"Upper GI endoscopy (gastroscopy)", catGastro, "gastroscopy|endoscopy|OGD|camera test", "Diagnostic Upper GI Endoscopy|Diagnostic Gastroscopy|Endoscopy"},
	{"Colonoscopy", catGastro, "bowel scope|polyp removal|polypectomy", "Therapeutic Colonoscopy with Polypectomy|Diagnostic Colonoscopy|Polypectomy"},
	{"Sigmoidoscopy", catGastro, "flexible sigmoidoscopy", "Sigmoidoscopy"},
	{"ERCP", catGastro, "endoscopic retrograde cholangiopancreatography|bile duct stone removal", "Endoscopic Retrograde Cholangiopancreatography (ERCP)|ERCP (Therapeutic)|Endoscopic Common Bile Duct Stone Removal|Endoscopic Stenting for Pancreatic Stricture"},
	{"Variceal band ligation", catGastro, "banding of varices|variceal banding", "Variceal Band Ligation|Variceal Glue Injection"},
	{"Gallbladder removal (cholecystectomy)", catGenSurg, "gall bladder surgery|cholecystectomy|gallstone surgery", "Laparoscopic Cholecystectomy with LAP Common Bile Duct Exploration|Laparoscopic Cholecystectomy|Cholecystectomy|Laparoscopic Cholescystectomy with Choledochodudenostomy"},
	{"Hernia repair", catGenSurg, "hernia|inguinal hernia repair|hernioplasty", "Inguinal Hernioplasty|Hernias (Inguinal)|Laparoscopic Inguinal Hernioplasty - Bilateral|Laparoscopic Inguinal Hernioplasty - Unilateral|Hernia Umbilical"},
	{"Burn injury treatment", catGenSurg, "burns|burn care", "Injury By Serious Burns"},
	// Urology and nephrology
	{"Dialysis", catUro, "haemodialysis|hemodialysis|kidney dialysis", "Haemodialysis|Chronic Ambulatory Peritoneal Dialysis (CAPD)"},
	{"Kidney stone treatment (lithotripsy)", catUro, "kidney stones|lithotripsy|ESWL|laser lithotripsy", "Urethroscopy - Laser Lithotripsy|Extracorporeal Shock Wave Lithotripsy (ESWL)|Intracorporeal Lithotripsy"},
	{"Vasectomy", catUro, "male sterilisation|the snip", "Vasectomy"},
	{"Circumcision", catUro, "foreskin removal", "Circumcision"},
	{"Cystoscopy", catUro, "bladder camera|bladder scope", "Cystoscopy - Rigid|Cystoscopy - Flexible"},
	{"Nephrectomy (kidney removal)", catUro, "kidney removal|nephrectomy", "Laparoscopic Nephrectomy"},
	{"Varicocelectomy", catUro, "varicocele repair", "Varicocelectomy"},
	{"Erectile dysfunction treatment", catUro, "impotence|ED treatment", "Erectile Dysfunction|Vascular Surgery for Treatment of Impotence"},
	{"Stress incontinence treatment", catUro, "bladder leakage|leaking urine|urinary incontinence", "Treatment of Stress Incontinence|Laparoscopic Surgery for Stress Incontinence"},
	// Fertility and gynaecology
	{"Male infertility treatment", catFertility, "male infertility|low sperm count", "Male Infertility"},
	{"Female infertility treatment", catFertility, "female infertility|trouble getting pregnant", "Female Infertility"},
	{"Intrauterine insemination (IUI)", catFertility, "IUI|artificial insemination", "IUI (Intra Uterine Insemination)"},
	{"Sperm retrieval (TESA/PESA)", catFertility, "TESA|PESA|surgical sperm retrieval", "TESA (Transepidermal Sperm Aspiration) Colonoscopy|PESA (Per-Cutaneous Epididymal Aspiration)"},
	{"Pelvic floor disorder treatment", catObGyn, "pelvic floor therapy|pelvic floor problems", "Pelvic Florr Disorders Treatment"},
	{"Pelvic organ prolapse repair", catObGyn, "prolapse surgery|mesh repair", "Mesh Repair for Prolapse"},
	{"Myomectomy (fibroid removal)", catObGyn, "fibroid removal|fibroids surgery|myomectomy", "Laparoscopic Myomectomy"},
	{"Colposcopy", catObGyn, "cervix examination", "Colposcopy"},
	{"Hormone replacement therapy", catObGyn, "HRT|menopause treatment", "Hormone Replacement Therapy"},
	// ENT
	{"Adenoidectomy", catENT, "adenoid removal|adenoids surgery", "Adenoidectomy"},
	{"Septoplasty", catENT, "deviated septum surgery|nasal septum surgery", "Septoplasty|Septoplasty or Submucous Resection"},
	{"Microlaryngeal surgery", catENT, "vocal cord surgery|voice box surgery|phonosurgery", "Microlaryngeal Surgery|Micro-Laryngeal & Phonsurgery - Holmium & Diode Laser"},
	{"Hearing assessment", catENT, "hearing test|audiology", "Audiology"},
	{"Cochlear implant", catENT, "bionic ear|hearing implant", "Cochlear Implants"},
	{"Tonsillectomy", catENT, "tonsil removal|tonsils out", "Tonsillectomy"},
	{"Endoscopic sinus surgery", catENT, "FESS|sinus surgery", "Endoscopic Nasal/Sinus Surgeries|Endoscopic Surgery for CSF Rhinorrhea"},
	{"Sinusitis treatment", catENT, "sinusitis|sinus infection|blocked sinuses", "Allergic & Chronic Sinusitis"},
	{"Snoring and sleep apnoea treatment", catENT, "snoring|sleep apnea|sleep apnoea", "Diagnosis and Treatment of Snoring and Sleep Apnea Syndrome Urology"},
	// Neurology
	{"Stroke treatment", catNeuro, "stroke|stroke rehabilitation", "Stroke"},
	{"Alzheimer's disease care", catNeuro, "Alzheimer's|dementia care", "Alzheimer's"},
	{"Parkinson's disease treatment", catNeuro, "Parkinson's|tremor treatment", "Parkinson's Treatment"},
	{"Epilepsy surgery", catNeuro, "seizure surgery", "Epilepsy Surgery"},
	{"Spinal cord injury treatment", catNeuro, "spinal cord injury|paralysis treatment", "Spinal Cord Injury"},
	{"Spinal cord tumour surgery", catNeuro, "spinal tumour removal", "Spinal Cord Tumours"},
	{"Brain tumour surgery (craniotomy)", catNeuro, "craniotomy|brain tumour removal|brain surgery", "Craniotomy for Supratentorial Tumours|Craniotomy|Brain Tumour Removal|Posterior Fossa Tumour Surgery"},
	{"Nerve entrapment treatment", catNeuro, "trapped nerve|nerve compression", "Syndromes Of Nerve Entrapments"},
	{"Headache and migraine treatment", catNeuro, "headache|migraine", "Headache"},
	{"Pain management", catNeuro, "pain control|chronic pain treatment|pain clinic", "Pain Control"},
	// Oncology
	{"Lung cancer treatment", catOnco, "lung cancer", "Lung Cancer"},
	{"Thyroid cancer treatment", catOnco, "thyroid cancer", "Thyroid Cancer"},
	{"Breast cancer treatment", catOnco, "breast cancer|breast cancer chemotherapy", "Breast Cancer (TAC)|Breast Cancer (CMF, FAC, FEC, 4 AC) - Chemotherapy|Breast Cancer Radiotherapy"},
	{"Cervical cancer treatment", catOnco, "cervical cancer", "Cervical Cancer"},
	{"Ovarian cancer treatment", catOnco, "ovarian cancer", "Ovarian Cancer"},
	{"Prostate cancer treatment", catOnco, "prostate cancer|HIFU", "Prostate Cancer – High-Intensity Focused Ultrasound (HIFU) Treatment|Prostate Cancer"},
	{"Radiofrequency ablation of tumours", catOnco, "tumour ablation|RFA of liver tumours|RFA of lung tumours", "Radiofrequency Ablation of Liver Tumours|Radiofrequency Ablation of Lung Tumouurs"},
	{"Lymphoma chemotherapy", catOnco, "lymphoma|Hodgkin's lymphoma|non-Hodgkin lymphoma", "Hodgkin's Lymphoma (ABVD) Chemotherapy|NHL (R-CHOP)-Chemotherapy|Non-Hogkin's Lymphoma (CHOP) - Chemotherapy"},
	// Transplant
	{"Kidney transplant", catTransplant, "renal transplant|kidney transplantation", "Kidney Transplant|Kidney Transplantation|Lap Reconstructive Urology Renal Transplant"},
	{"Liver transplant", catTransplant, "liver transplantation", "Liver Transplant|Liver Transplantation (For Liver Failure)"},
	{"Bone marrow transplant", catTransplant, "stem cell transplant|BMT", "Bone Marrow Transplantation"},
	// Respiratory
	{"COPD treatment", catResp, "COPD|emphysema|chronic bronchitis", "Chronic Obstructive Pulmonary Disease (COPD)|COPD"},
	{"Video-assisted thoracic surgery (VATS)", catResp, "VATS|keyhole chest surgery|thoracoscopy", "VATS (Video-Assisted Thoracic Surgery)"},
	// Diagnostics and imaging
	{"MRI scan", catDiag, "MRI|magnetic resonance imaging|breast MRI", "Magnetic Resonance Imaging (MRI) Body|MRI BODY|MRI Breast|MRI Chest|MRI Head|MRI Spine"},
	{"MRI angiography", catDiag, "MRA|MR angiogram", "MRI Angiography"},
	{"CT angiography", catDiag, "CTA|CT angiogram", "CT Angiography"},
	{"Thyroid scan", catDiag, "thyroid scintigraphy|technetium thyroid scan", "TC-99M Thyroid Scan"},
	{"Nuclear medicine scan", catDiag, "nuclear scan|SPECT", "Nuclear Medicine Studies|Single Photon Emission Computed Tomography (SPECT)"},
	{"Bone scan (whole body)", catDiag, "bone scan|skeletal scintigraphy", "Whole Body Skeletal Study"},
	{"Breast biopsy", catDiag, "ultrasound-guided breast biopsy", "Breast Biopsy Ultrasound Guided|Axillary Lymph Node Biopsy"},
	{"Breast ultrasound", catDiag, "breast scan", "Ultrasound Breast|Mammogram"},
	{"Catheter embolisation", catDiag, "embolization|interventional radiology", "Catheter Embolization"},
	// Endocrinology and internal medicine
	{"Diabetes care", catEndo, "diabetes|blood sugar control", "Diabetes"},
	{"Metabolic disorder treatment", catEndo, "metabolic disorders|metabolism problems", "Metabolic Disorders"},
	{"Stem cell therapy", catIntMed, "stem cells|regenerative medicine", "Stem Cell"},
	// Mental health
	{"Addiction treatment", catMental, "rehab|drug rehab|alcohol rehab|substance abuse treatment", "Addiction Treatment"},
	{"Neuropsychiatric assessment", catMental, "psychiatric evaluation|neuropsychological testing", "Neuropsychiatric Diagnosis"},
	{"Autism therapy", catMental, "autism|ASD support", "Autism"},
	{"Psychosocial support", catMental, "counselling|psychological care|spiritual care", "Spiritual & Psychosocial Care|Spiritual and Psycological Care"},
	// Rehabilitation and wellness
	{"Physiotherapy", catRehab, "physical therapy|physio", "Physical Therapy|Therapeutics/Rehabilitative Acivities"},
	{"Paediatric rehabilitation", catPaed, "child rehabilitation|pediatric rehab", "Pediatric Rehabilitation"},
	{"Advanced health check-up", catWellness, "health check|full body checkup|medical check-up|executive health screening", "Advanced Checkup"},
	{"Standard health check-up", catWellness, "health check|basic checkup|medical check-up", "Standard Checkup|Checkup (Gynaecology)"},
	{"Therapeutic massage", catWellness, "massage|massage therapy", "Massage|Pressure Therapy"},
	{"Wellness programme", catWellness, "fitness retreat|wellness retreat|health retreat", "Fitness/Wellness Immersion"},
}

// genericSpecialties are facility "treatment" names that are really
// specialties. They are not treatments, but they tell us the facility's
// fields (used for kind, doctors and specialty-based offers).
var genericSpecialties = map[string]string{
	"Cardiology": catCardio, "Dermatology": catDerm, "Urology": catUro, "Gynecology": catObGyn,
	"Orthopedics": catOrtho, "Ophthalmology": catOphth, "Ophthamology": catOphth,
	"Surgery": catGenSurg, "Otolaryngology - Ear, Nose, and Throat (ENT)": catENT,
	"Neurology": catNeuro, "Radiology and Medical Imaging": catDiag, "Rheumatology": catOrtho,
	"Neonatology": catPaed, "Plastic Surgery": catCosmetic,
	"Gastroenterology, Hepatology, and Nutrition": catGastro, "Endocrinology": catEndo,
	"Neurosurgery": catNeuro, "Dentistry and Orthodontics": catDental,
	"Nephrology and Hypertension": catUro, "Gynecology, Pediatric, and Adolescent Medicine": catObGyn,
	"Allergy and Immunology": catIntMed, "Immune Medicine": catIntMed, "Respiratory Care": catResp,
	"Physical Medicine and Rehabilitation": catRehab, "Clinical Hematology": catIntMed,
	"Vascular Surgery": catVascular, "Entire Range of Oncology Surgery": catOnco,
	"Diagnostic Tests": catDiag, "Clinical Laboratories": catDiag, "Liver Care": catGastro,
	"Breast Surgery": catCosmetic, "Dental Surgery": catDental, "Pediatric Orthopedics": catOrtho,
	"Cardiovascular Disorder": catCardio, "Oculoplastic Service": catOphth,
	"Pediatric Opthalmology and Strabismus": catOphth, "Laboratory Tests for Allergy": catIntMed,
	"Asthma Evaluation and Treatment": catResp,
}

// drgCategory maps the CMS lay categories to the vocabulary.
var drgCategory = map[string]string{
	"Brain": catNeuro, "Lung": catResp, "Heart": catCardio, "Digestive": catGastro,
	"Muscle and joints": catOrtho, "Skin": catDerm, "Diabetes": catEndo,
	"Kidney": catUro, "Blood": catIntMed, "Infections": catIntMed,
}

// drgCategoryOverride fixes DRGs whose lay category is "Other", blank or
// too coarse.
var drgCategoryOverride = map[string]string{
	"100": catNeuro, "149": catENT, "252": catVascular, "253": catVascular, "254": catVascular,
	"300": catVascular, "301": catVascular, "418": catGenSurg, "419": catGenSurg,
	"439": catGastro, "484": catOrtho, "885": catMental, "897": catMental,
	"917": catIntMed, "918": catIntMed, "948": catIntMed,
}

// drgLay adds the everyday words patients type for common DRGs, which the
// CMS lay names ("Joint replacement") do not cover.
var drgLay = map[string]string{
	"064": "brain attack|CVA", "065": "brain attack|CVA", "066": "brain attack|CVA",
	"190": "emphysema|chronic bronchitis", "191": "emphysema|chronic bronchitis", "192": "emphysema|chronic bronchitis",
	"243": "pacemaker|pacemaker fitting", "244": "pacemaker|pacemaker fitting",
	"246": "stent|angioplasty|coronary stent", "247": "stent|angioplasty|coronary stent",
	"249": "stent|angioplasty|coronary stent", "251": "angioplasty|balloon angioplasty",
	"280": "heart attack|myocardial infarction", "281": "heart attack|myocardial infarction",
	"282": "heart attack|myocardial infarction",
	"291": "congestive heart failure|CHF", "292": "congestive heart failure|CHF", "293": "congestive heart failure|CHF",
	"418": "gallbladder removal|gall bladder surgery|cholecystectomy",
	"419": "gallbladder removal|gall bladder surgery|cholecystectomy",
	"460": "back surgery|spine fusion", "473": "neck fusion|spine fusion",
	"467": "hip replacement revision|knee replacement revision|redo hip replacement|redo knee replacement",
	"469": "hip replacement|knee replacement|new hip|new knee|total hip replacement|total knee replacement|joint replacement",
	"470": "hip replacement|knee replacement|new hip|new knee|total hip replacement|total knee replacement|joint replacement",
	"480": "hip fracture surgery|broken hip", "481": "hip fracture surgery|broken hip", "482": "hip fracture surgery|broken hip",
	"536": "broken hip|broken pelvis",
	"682": "renal failure", "683": "renal failure", "684": "renal failure",
	"689": "UTI|bladder infection", "690": "UTI|bladder infection",
	"870": "blood poisoning", "871": "blood poisoning", "872": "blood poisoning",
}

// specialtyOffers lists, per facility category, the price-table treatments
// a clinic of that kind gets a priced offer for (when its country has a
// price), even if its listing does not name them.
var specialtyOffers = map[string][]string{
	catDental:    {"Dental Implant"},
	catOrtho:     {"Knee Replacement", "Hip Replacement"},
	catCosmetic:  {"Rhinoplasty", "Liposuction", "Tummy Tuck", "Breast Implants", "Face Lift"},
	catOphth:     {"Lasik (both eyes)", "Cataract surgery (per eye)"},
	catFertility: {"IVF Treatment"},
	catBariatric: {"Gastric Sleeve", "Gastric Bypass"},
}

// gbElective are the price-table treatments UK independent hospitals are
// given offers for (a deterministic handful each).
var gbElective = []string{
	"Knee Replacement", "Hip Replacement", "Cataract surgery (per eye)", "Hip Resurfacing",
	"Hysterectomy", "Spinal Fusion", "Lasik (both eyes)", "Cornea (per eye)", "Breast Implants",
	"Rhinoplasty", "Face Lift", "Tummy Tuck", "Liposuction", "Gastric Sleeve", "Gastric Bypass",
}

// commonDRGs are kept for every chosen US hospital; other DRGs are sampled.
var commonDRGs = map[string]bool{
	"469": true, "470": true, "280": true, "281": true, "247": true,
	"292": true, "291": true, "194": true, "392": true, "871": true,
}
