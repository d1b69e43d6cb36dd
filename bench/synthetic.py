"""Reproducible synthetic catalogue for benchmarks: organisations, venues and services.

``make_catalogue(n, seed)`` returns ``{"organizations": [...], "locations": [...],
"services": [...]}`` in the same record format as seed_data/demo/*.json (what
``directory.seed.read_catalogue`` reads), with n services, about n/3 organisations and about
n/2 venues spread over ~45 English towns and cities weighted by rough population.

Names and descriptions are composed from templates and word lists that mix activity words,
lay terms ("bad chest", "skint", "a brew and a natter") and practical details, so full-text
search sees realistic term distributions.  Everything is drawn from one
``random.Random(seed)``, so the output depends only on (n, seed).  Standard library only.

    python bench/synthetic.py 10000 OUTDIR [--seed 7]

writes OUTDIR/organizations.json, OUTDIR/locations.json and OUTDIR/services.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import re
import sys
import time
import uuid
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

# --- places ----------------------------------------------------------------------------
# (town, latitude, longitude, rough population in thousands, jitter radius in km,
#  [(neighbourhood, outward code), ...]).  Centres and codes are approximate: display only.
TOWNS: list[tuple[str, float, float, int, float, list[tuple[str, str]]]] = [
    ("London", 51.51, -0.13, 8800, 14.0, [
        ("Hackney", "E8"), ("Peckham", "SE15"), ("Brixton", "SW2"), ("Walthamstow", "E17"),
        ("Lewisham", "SE13"), ("Tottenham", "N17"), ("Stratford", "E15"), ("Camden", "NW1"),
        ("Whitechapel", "E1"), ("Kilburn", "NW6"), ("Southall", "UB1"), ("Croydon", "CR0")]),
    ("Birmingham", 52.48, -1.90, 1140, 8.0, [
        ("Sparkbrook", "B11"), ("Handsworth", "B21"), ("Erdington", "B23"),
        ("Small Heath", "B10"), ("Kings Heath", "B14"), ("Selly Oak", "B29"), ("Aston", "B6"),
        ("Ladywood", "B16")]),
    ("Leeds", 53.80, -1.55, 810, 7.0, [
        ("Harehills", "LS8"), ("Chapeltown", "LS7"), ("Armley", "LS12"), ("Beeston", "LS11"),
        ("Headingley", "LS6"), ("Seacroft", "LS14"), ("Burmantofts", "LS9"),
        ("Holbeck", "LS11")]),
    ("Sheffield", 53.38, -1.47, 560, 7.0, [
        ("Firth Park", "S5"), ("Heeley", "S2"), ("Darnall", "S9"), ("Hillsborough", "S6"),
        ("Sharrow", "S7"), ("Parson Cross", "S5"), ("Manor", "S2")]),
    ("Manchester", 53.48, -2.24, 550, 7.0, [
        ("Moss Side", "M14"), ("Gorton", "M18"), ("Longsight", "M13"),
        ("Cheetham Hill", "M8"), ("Wythenshawe", "M22"), ("Harpurhey", "M9"), ("Hulme", "M15"),
        ("Ancoats", "M4")]),
    ("Liverpool", 53.41, -2.98, 490, 7.0, [
        ("Anfield", "L4"), ("Toxteth", "L8"), ("Kirkdale", "L5"), ("Norris Green", "L11"),
        ("Wavertree", "L15"), ("Everton", "L5"), ("Speke", "L24")]),
    ("Bristol", 51.45, -2.59, 470, 7.0, [
        ("Easton", "BS5"), ("Bedminster", "BS3"), ("St Pauls", "BS2"), ("Hartcliffe", "BS13"),
        ("Southmead", "BS10"), ("Lawrence Hill", "BS5"), ("Knowle", "BS4")]),
    ("Leicester", 52.64, -1.13, 370, 6.0, [
        ("Belgrave", "LE4"), ("Highfields", "LE2"), ("Braunstone", "LE3"),
        ("Beaumont Leys", "LE4"), ("Spinney Hills", "LE5"), ("Evington", "LE5")]),
    ("Bradford", 53.79, -1.75, 360, 6.0, [
        ("Manningham", "BD8"), ("Little Horton", "BD5"), ("Bradford Moor", "BD3"),
        ("Allerton", "BD15"), ("Holme Wood", "BD4"), ("Thornbury", "BD3")]),
    ("Coventry", 52.41, -1.51, 345, 6.0, [
        ("Foleshill", "CV6"), ("Hillfields", "CV1"), ("Tile Hill", "CV4"),
        ("Willenhall", "CV3"), ("Wood End", "CV2"), ("Stoke Aldermoor", "CV3")]),
    ("Nottingham", 52.95, -1.15, 320, 6.0, [
        ("Sneinton", "NG2"), ("Bulwell", "NG6"), ("Hyson Green", "NG7"), ("Clifton", "NG11"),
        ("Bestwood", "NG5"), ("St Ann's", "NG3")]),
    ("Newcastle upon Tyne", 54.97, -1.61, 300, 6.0, [
        ("Benwell", "NE4"), ("Elswick", "NE4"), ("Fenham", "NE4"), ("Walker", "NE6"),
        ("Byker", "NE6"), ("Heaton", "NE6"), ("Westerhope", "NE5"), ("Kenton", "NE3"),
        ("Scotswood", "NE15"), ("Blakelaw", "NE5")]),
    ("Kingston upon Hull", 53.74, -0.33, 265, 6.0, [
        ("Orchard Park", "HU6"), ("Bransholme", "HU7"), ("Newington", "HU3"),
        ("Marfleet", "HU9"), ("Hessle Road", "HU3")]),
    ("Wolverhampton", 52.59, -2.13, 265, 6.0, [
        ("Whitmore Reans", "WV6"), ("Low Hill", "WV10"), ("Bilston", "WV14"),
        ("Heath Town", "WV10"), ("Blakenhall", "WV2")]),
    ("Plymouth", 50.38, -4.14, 265, 6.0, [
        ("Devonport", "PL1"), ("Stonehouse", "PL1"), ("Efford", "PL3"), ("Whitleigh", "PL5"),
        ("Ernesettle", "PL5"), ("Stoke", "PL3")]),
    ("Derby", 52.92, -1.48, 260, 6.0, [
        ("Normanton", "DE23"), ("Alvaston", "DE24"), ("Chaddesden", "DE21"),
        ("Sinfin", "DE24"), ("Derwent", "DE21")]),
    ("Stoke-on-Trent", 53.00, -2.18, 255, 6.0, [
        ("Hanley", "ST1"), ("Burslem", "ST6"), ("Longton", "ST3"), ("Fenton", "ST4"),
        ("Bentilee", "ST2")]),
    ("Southampton", 50.90, -1.40, 250, 6.0, [
        ("Shirley", "SO15"), ("Millbrook", "SO16"), ("Thornhill", "SO19"),
        ("Woolston", "SO19"), ("Northam", "SO14")]),
    ("Brighton", 50.82, -0.14, 230, 6.0, [
        ("Moulsecoomb", "BN2"), ("Whitehawk", "BN2"), ("Hollingbury", "BN1"),
        ("Hangleton", "BN3")]),
    ("Luton", 51.88, -0.42, 225, 6.0, [
        ("Bury Park", "LU1"), ("Marsh Farm", "LU3"), ("Farley Hill", "LU1"),
        ("Lewsey Farm", "LU4")]),
    ("Portsmouth", 50.80, -1.09, 210, 5.0, [
        ("Fratton", "PO1"), ("Paulsgrove", "PO6"), ("Buckland", "PO2"),
        ("Somers Town", "PO5"), ("Landport", "PO1")]),
    ("York", 53.96, -1.08, 200, 5.0, [
        ("Tang Hall", "YO31"), ("Clifton", "YO30"), ("Acomb", "YO24"), ("Foxwood", "YO24")]),
    ("Peterborough", 52.57, -0.24, 200, 6.0, [
        ("Millfield", "PE1"), ("Dogsthorpe", "PE1"), ("Orton", "PE2"), ("Westwood", "PE3")]),
    ("Bolton", 53.58, -2.43, 195, 6.0, [
        ("Great Lever", "BL3"), ("Tonge Moor", "BL2"), ("Daubhill", "BL3"),
        ("Halliwell", "BL1")]),
    ("Bournemouth", 50.72, -1.88, 190, 6.0, [
        ("Boscombe", "BH1"), ("Kinson", "BH11"), ("Winton", "BH9"), ("West Howe", "BH11")]),
    ("Swindon", 51.56, -1.78, 185, 6.0, [
        ("Penhill", "SN2"), ("Pinehurst", "SN2"), ("Walcot", "SN3"), ("Park North", "SN3")]),
    ("Sunderland", 54.91, -1.38, 175, 6.0, [
        ("Hendon", "SR2"), ("Pennywell", "SR4"), ("Southwick", "SR5"), ("Millfield", "SR4"),
        ("Hylton Castle", "SR5")]),
    ("Reading", 51.45, -0.97, 175, 5.0, [
        ("Whitley", "RG2"), ("Coley", "RG1"), ("Caversham", "RG4"), ("Southcote", "RG30")]),
    ("Oxford", 51.75, -1.26, 160, 5.0, [
        ("Blackbird Leys", "OX4"), ("Barton", "OX3"), ("Cowley", "OX4"), ("Rose Hill", "OX4")]),
    ("Norwich", 52.63, 1.30, 145, 5.0, [
        ("Mile Cross", "NR3"), ("Lakenham", "NR1"), ("Bowthorpe", "NR5"),
        ("Heartsease", "NR7")]),
    ("Cambridge", 52.21, 0.12, 145, 5.0, [
        ("Arbury", "CB4"), ("Abbey", "CB5"), ("Cherry Hinton", "CB1"), ("Kings Hedges", "CB4")]),
    ("Preston", 53.76, -2.70, 145, 5.0, [
        ("Deepdale", "PR1"), ("Ribbleton", "PR2"), ("Fishwick", "PR1"),
        ("Ashton-on-Ribble", "PR2")]),
    ("Middlesbrough", 54.57, -1.23, 140, 5.0, [
        ("Thorntree", "TS3"), ("Berwick Hills", "TS3"), ("North Ormesby", "TS3"),
        ("Linthorpe", "TS5"), ("Grove Hill", "TS4")]),
    ("Blackpool", 53.82, -3.05, 140, 5.0, [
        ("Grange Park", "FY3"), ("Talbot", "FY1"), ("Bloomfield", "FY1"), ("Mereside", "FY4")]),
    ("Ipswich", 52.06, 1.16, 140, 5.0, [
        ("Chantry", "IP2"), ("Whitehouse", "IP1"), ("Gainsborough", "IP3"),
        ("Westgate", "IP1")]),
    ("Exeter", 50.72, -3.53, 130, 5.0, [
        ("Wonford", "EX2"), ("Beacon Heath", "EX4"), ("Exwick", "EX4"), ("Whipton", "EX1")]),
    ("Gloucester", 51.86, -2.24, 130, 5.0, [
        ("Matson", "GL4"), ("Tuffley", "GL4"), ("Barton", "GL1"), ("Kingsholm", "GL1")]),
    ("Gateshead", 54.95, -1.60, 120, 4.0, [
        ("Bensham", "NE8"), ("Felling", "NE10"), ("Deckham", "NE8"), ("Low Fell", "NE9"),
        ("Teams", "NE8")]),
    ("Doncaster", 53.52, -1.13, 110, 5.0, [
        ("Balby", "DN4"), ("Wheatley", "DN2"), ("Hexthorpe", "DN4"), ("Intake", "DN2")]),
    ("Oldham", 53.54, -2.12, 100, 4.0, [
        ("Glodwick", "OL4"), ("Werneth", "OL8"), ("Coldhurst", "OL1"), ("Fitton Hill", "OL8")]),
    ("Lincoln", 53.23, -0.54, 100, 4.0, [
        ("Birchwood", "LN6"), ("Ermine", "LN2"), ("Sincil Bank", "LN5"), ("Boultham", "LN6")]),
    ("Stockton-on-Tees", 54.57, -1.32, 85, 4.0, [
        ("Hardwick", "TS19"), ("Roseworth", "TS19"), ("Norton", "TS20"),
        ("Thornaby", "TS17")]),
    ("South Shields", 54.99, -1.43, 75, 4.0, [
        ("Westoe", "NE33"), ("Simonside", "NE34"), ("Biddick Hall", "NE34"),
        ("Whiteleas", "NE34")]),
    ("Carlisle", 54.89, -2.93, 75, 4.0, [
        ("Botcherby", "CA1"), ("Raffles", "CA2"), ("Harraby", "CA1"),
        ("Denton Holme", "CA2")]),
    ("Durham", 54.78, -1.57, 50, 4.0, [
        ("Framwellgate Moor", "DH1"), ("Gilesgate", "DH1"), ("Sherburn Road", "DH1"),
        ("Newton Hall", "DH1")]),
]
SHORT_TOWN = {"Newcastle upon Tyne": "Newcastle", "Kingston upon Hull": "Hull",
              "Stoke-on-Trent": "Stoke", "Stockton-on-Tees": "Stockton"}

STREETS = [
    "Church", "Victoria", "Station", "High", "Park", "Albert", "Queen", "King", "Mill",
    "Chapel", "Market", "Front", "West", "North", "Grange", "Elm", "Beech", "Oak", "Ash",
    "Cross", "Brook", "Green", "Hill", "Manor", "School", "Stanhope", "Armstrong", "Wellington",
    "Nelson", "Cambridge", "Windsor", "Princess", "Richmond", "Clarence", "Hawthorn", "Willow",
    "Milton", "Shakespeare", "Tennyson", "Dene", "Burn", "Moor", "Colliery", "Forge",
]
STREET_KINDS = ["Street", "Road", "Road", "Lane", "Avenue", "Terrace", "Grove", "Place", "Way",
                "Close", "Crescent", "Gardens"]
SAINTS = ["Mary", "John", "Peter", "Paul", "Andrew", "James", "Michael", "Matthew", "Luke",
          "Mark", "Anne", "Aidan", "Cuthbert", "Hilda", "Bede", "Oswald", "George", "Margaret"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in inward codes (no C I K M O V)

# venue kinds: (weight, name templates); {nb} neighbourhood, {town}, {street}, {saint}
VENUE_KINDS: dict[str, tuple[int, list[str]]] = {
    "community": (30, ["{nb} Community Centre", "{nb} Community Hub", "The {nb} Centre",
                       "{nb} Neighbourhood Centre", "{nb} Community Association Hall",
                       "{street} Community Rooms"]),
    "church": (15, ["St {saint}'s Church Hall", "{nb} Methodist Church", "{nb} Baptist Church",
                    "St {saint}'s Parish Centre", "{nb} Islamic Centre", "{nb} Salvation Army"]),
    "library": (12, ["{nb} Library", "{town} Central Library", "{nb} Library and Hub"]),
    "leisure": (10, ["{nb} Leisure Centre", "{nb} Pool", "{town} Sports Centre",
                     "{nb} Sports and Fitness Centre"]),
    "health": (13, ["{nb} Health Centre", "{nb} Medical Centre", "{street} Surgery",
                    "{nb} Primary Care Centre", "{town} Community Hospital"]),
    "outdoor": (8, ["{nb} Park Pavilion", "{nb} Allotments", "{nb} Community Garden",
                    "{nb} Ponds", "{nb} Nature Reserve Visitor Centre"]),
    "other": (12, ["{nb} Advice Centre", "{nb} Working Men's Club", "{nb} Fire Station",
                   "{nb} Youth and Community Centre", "{town} Voluntary Action Centre",
                   "{nb} Enterprise Centre"]),
}
VENUE_ACCESS = ["wheelchair-accessible", "step-free", "accessible-toilet", "hearing-loop",
                "near-bus-stop", "parking"]

# --- activities --------------------------------------------------------------------------


class Activity(NamedTuple):
    category: str
    weight: float
    nouns: tuple[str, ...]          # "{place} {noun}", "{place} {Day} {noun}"
    brands: tuple[str, ...]         # "{brand} {place}" or just "{brand}"
    lines: tuple[str, ...]          # description sentences
    conditions: tuple[str, ...]     # conditions the activity is commonly adapted for
    companions: tuple[str, ...]     # activities often offered alongside
    minutes: tuple[int, ...]        # typical session lengths
    parts: str                      # parts of the day it runs: m(orning) a(fternoon) e(vening)
    appointment: float              # chance the service is by appointment
    intensity: tuple[int, int, int]  # weights for light, moderate, structured
    venue: str = ""                 # preferred venue kind


def _a(category: str, weight: float, nouns: str, brands: str, lines: list[str],
       conditions: str = "", companions: str = "", minutes: tuple[int, ...] = (60, 90, 120),
       parts: str = "mma", appointment: float = 0.0, intensity: tuple[int, int, int] = (5, 3, 1),
       venue: str = "") -> Activity:
    return Activity(category, weight, tuple(nouns.split("|")), tuple(brands.split("|")),
                    tuple(lines), tuple(conditions.split()), tuple(companions.split()),
                    minutes, parts, appointment, intensity, venue)


ACTIVITIES: dict[str, Activity] = {
    "walking-group": _a(
        "physical-activity", 9, "Walkers|Walking Group|Health Walk|Strollers|Ramblers|Wanderers",
        "Stride Out|Walk and Talk|Best Foot Forward|Feet First|Step Forward|Walk This Way", [
            "A gentle walk of about an hour on flat paths, at the pace of the slowest walker.",
            "We walk whatever the weather, so bring a coat and sensible shoes.",
            "Good for anyone who wants to get a bit fitter or just get out of the house.",
            "Walks finish at a cafe for a brew and a natter.",
            "Trained walk leaders go at the back so nobody gets left behind.",
            "Short and longer routes each week, with benches to stop on along the way."],
        "arthritis type-2-diabetes depression high-blood-pressure obesity copd",
        "social-group volunteer-role gentle-exercise", (60, 90, 120), "mma", 0.0, (7, 3, 0),
        "outdoor"),
    "gentle-exercise": _a(
        "physical-activity", 7, "Chair Exercise|Seated Exercise|Gentle Movers|Keep Fit|Movers",
        "Sit and Be Fit|Move It or Lose It|Chair Fit|Stay Steady|Fit as a Fiddle", [
            "Chair-based exercise to music that you can do sitting or standing.",
            "Gentle stretching and strength and balance work, led by a qualified instructor.",
            "Helps with stiff joints, dodgy knees and feeling steadier on your feet.",
            "Nobody is made to do more than they can manage.",
            "Everything can be done from a chair if your legs or breathing aren't up to it."],
        "arthritis copd osteoporosis heart-failure chronic-pain dementia",
        "social-group breathing-support bone-health tai-chi-yoga", (45, 60), "mma", 0.0,
        (5, 4, 1), "community"),
    "gym": _a(
        "physical-activity", 3, "Gym Sessions|Exercise Referral|Fitness Club|Active Club",
        "Active Lifestyles|Get Active|Fit for Life|Healthy Steps", [
            "A twelve-week exercise referral programme in the gym with a personal plan.",
            "An instructor takes you round the machines and weights and shows you what to do.",
            "Quiet gym sessions for people who feel nervous about gyms.",
            "Aimed at people who are new to exercise or coming back after illness."],
        "obesity type-2-diabetes high-blood-pressure depression coronary-heart-disease",
        "weight-management swimming", (60,), "mae", 0.15, (2, 4, 4), "leisure"),
    "swimming": _a(
        "physical-activity", 3, "Swimming|Aqua Aerobics|Aquafit|Swim Club|Pool Sessions",
        "Splash|Making Waves|Just Swim|Water Works", [
            "Aqua aerobics in the shallow end of the pool: no need to be able to swim.",
            "Quiet adult swimming sessions with lifeguards and a helper on the side.",
            "The water takes the weight off sore joints and bad backs.",
            "Changing rooms have hoists and there are steps into the pool."],
        "arthritis chronic-pain obesity osteoporosis", "gym gentle-exercise", (45, 60),
        "mae", 0.0, (5, 4, 1), "leisure"),
    "dance": _a(
        "physical-activity", 3, "Tea Dance|Line Dancing|Dance Club|Dancers|Zumba Gold",
        "Strictly Seniors|Happy Feet|Dance for Health|Let's Dance|Twinkle Toes", [
            "A tea dance with old favourites, ballroom and sequence dancing.",
            "Line dancing for beginners; you'll pick it up in no time.",
            "Seated dance and movement to music from the fifties onwards.",
            "Come along for the music and a cuppa even if you don't dance."],
        "dementia depression arthritis", "social-group lunch-club", (60, 90, 120), "mae", 0.0,
        (6, 3, 1), "community"),
    "tai-chi-yoga": _a(
        "physical-activity", 4, "Tai Chi|Chair Yoga|Yoga|Gentle Yoga|Qigong",
        "Calm and Steady|Flow|Still Point|Stretch and Relax", [
            "Slow, gentle tai chi movements that help balance and calm.",
            "Chair yoga with breathing and relaxation at the end.",
            "Good for stress, sleep and stiff joints.",
            "Mats and chairs provided; wear something comfortable."],
        "arthritis anxiety osteoporosis chronic-pain high-blood-pressure",
        "gentle-exercise anxiety-management bone-health", (45, 60, 75), "mae", 0.0, (4, 5, 1),
        "community"),
    "cycling": _a(
        "physical-activity", 2, "Cycling Club|Bike Rides|Cycle Group|Bike Club",
        "Pedal Power|Wheels for All|On Your Bike|Freewheelers", [
            "Led bike rides on quiet paths and the old railway lines.",
            "Bikes, trikes and adapted cycles can be borrowed for free.",
            "Learn to ride again, or get your confidence back on the roads.",
            "We can help fix up an old bike so you can keep riding."],
        "depression obesity type-2-diabetes", "walking-group volunteer-role", (90, 120),
        "mma", 0.0, (5, 4, 1), "outdoor"),
    "cooking-class": _a(
        "healthy-eating", 3, "Cookery Club|Cook and Eat|Cooking Class|Kitchen Club",
        "Cook Well|Food for Thought|Fresh Start Kitchen|Grub Club|Cooking on a Budget", [
            "Learn to cook simple, healthy meals on a budget and eat together afterwards.",
            "Batch cooking, using up leftovers and getting more veg in.",
            "Everyone takes home a bag of ingredients and the recipe cards.",
            "No cooking experience needed, just come hungry."],
        "type-2-diabetes obesity high-blood-pressure", "food-diary-coaching lunch-club",
        (90, 120), "mae", 0.0, (3, 4, 3), "community"),
    "weight-management": _a(
        "healthy-eating", 3, "Weight Management|Healthy Weight Group|Slimming Group",
        "Shape Up|Lighter Living|Small Changes|Weigh to Go|Healthy You", [
            "A friendly weight management group: a private weigh-in, then a chat about food.",
            "Twelve weeks of support to lose weight without faddy diets.",
            "Talks on portion sizes, snacking, reading labels and keeping active.",
            "No lectures and no judging, whatever your size."],
        "obesity type-2-diabetes high-blood-pressure arthritis",
        "food-diary-coaching gentle-exercise cooking-class", (60, 90), "mae", 0.1, (2, 4, 4),
        "health"),
    "food-diary-coaching": _a(
        "healthy-eating", 2, "Healthy Eating Coaching|Eat Well Clinic|Food Coaching",
        "Eat Well|Healthy Plate|Food Matters|Nourish", [
            "One-to-one healthy eating coaching with a food diary and small goals each week.",
            "A health trainer helps you look at what you eat and what you could swap.",
            "Useful if you have been told to watch your sugar, salt or weight."],
        "type-2-diabetes obesity high-blood-pressure coronary-heart-disease",
        "weight-management cooking-class", (30, 45, 60), "mae", 0.5, (2, 5, 3), "health"),
    "breathing-support": _a(
        "ltc-management", 3, "Breathe Easy|Better Breathers|Lung Health Group|Breathers",
        "Breathe Easy|Better Breathing|Singing for Lung Health|Puff and Pals", [
            "A friendly group for people with COPD, asthma or any bad chest.",
            "If you get breathless doing the stairs or carrying the shopping, you're welcome.",
            "A nurse drops in now and then to answer questions about inhalers and puffers.",
            "Breathing exercises, seated exercise and a cuppa and a chat.",
            "Bring your oxygen if you use it, there's plenty of room."],
        "copd asthma", "gentle-exercise social-group choir-singing peer-support", (60, 90, 120),
        "ma", 0.0, (6, 3, 1), "community"),
    "diabetes-education": _a(
        "ltc-management", 3, "Diabetes Support|Diabetes Group|Sugar Club|Diabetes Course",
        "Sweet Talk|Know Your Numbers|Living Well with Diabetes|Diabetes Essentials", [
            "Support for anyone living with diabetes or told they're borderline.",
            "Learn what your blood sugar numbers mean and how food affects your sugars.",
            "Covers feet, eyes, medicines and insulin, with time for your questions.",
            "Run with the diabetes nurses from the local practices."],
        "type-2-diabetes type-1-diabetes obesity", "food-diary-coaching self-management-course",
        (90, 120, 150), "mae", 0.1, (2, 3, 5), "health"),
    "heart-support": _a(
        "ltc-management", 2, "Heart Support Group|Heart Club|Healthy Hearts",
        "Heart to Heart|Young at Heart|Change of Heart|Heartbeat", [
            "A support group for people with heart problems and their families.",
            "Gentle exercise, blood pressure checks and talks from the heart nurses.",
            "For anyone with angina, heart failure, a stent or high blood pressure."],
        "coronary-heart-disease heart-failure high-blood-pressure",
        "gentle-exercise social-group cardiac-rehab", (60, 90, 120), "ma", 0.0, (5, 4, 1),
        "community"),
    "epilepsy-support": _a(
        "ltc-management", 1, "Epilepsy Support|Epilepsy Group|Epilepsy Cafe",
        "Seize the Day|Epilepsy Connect|Side by Side", [
            "A relaxed group for people living with epilepsy and the people close to them.",
            "Talk about seizures, medication, work and driving with people who understand.",
            "First aid for seizures is covered for family members."],
        "epilepsy anxiety", "peer-support social-group", (90, 120), "ae", 0.0, (6, 3, 1)),
    "bone-health": _a(
        "ltc-management", 1, "Bone Health Group|Strong Bones|Falls Prevention",
        "Steady Steps|Stay Upright|Strong and Steady|Better Bones", [
            "Strength and balance exercise for people with osteoporosis or after a fall.",
            "Learn how to get up from the floor and keep your bones strong.",
            "Talks on calcium, vitamin D and making your home safer from falls."],
        "osteoporosis arthritis", "gentle-exercise tai-chi-yoga", (60, 75), "ma", 0.1,
        (2, 5, 3), "health"),
    "pain-management": _a(
        "ltc-management", 2, "Pain Management|Living with Pain|Pain Cafe|Pain Support",
        "Pain Toolkit|Beyond Pain|Moving On|Live Well with Pain", [
            "A course for people living with long-term pain such as bad backs or fibromyalgia.",
            "Pacing, gentle movement, sleep and dealing with flare-ups.",
            "Meet others who understand what it's like to be in pain every day."],
        "chronic-pain arthritis depression", "gentle-exercise peer-support self-management-course",
        (90, 120, 150), "ma", 0.2, (1, 4, 5), "health"),
    "self-management-course": _a(
        "ltc-management", 2, "Self-Management Course|Living Well Course|Expert Patients",
        "Taking Charge|Living Well|My Health My Way|Better Days", [
            "A six-week course for anyone with a long-term health condition.",
            "Practical ways to manage tiredness, pain, worry and medicines.",
            "Run by tutors who live with long-term conditions themselves."],
        "type-2-diabetes copd chronic-pain coronary-heart-disease arthritis depression",
        "peer-support anxiety-management", (120, 150), "mae", 0.0, (0, 2, 8), "library"),
    "peer-support": _a(
        "mental-health", 5, "Peer Support|Support Group|Wellbeing Group|Drop-in Cafe",
        "Talking Shop|Together|No Judgement|Safe Space|Open Door|Hope Cafe", [
            "A peer support group where people who have been through it help each other.",
            "Come and have a brew with people who understand what low mood and anxiety are like.",
            "There's no pressure to talk; plenty of people just listen for the first few weeks.",
            "Run by volunteers with their own experience of mental health problems."],
        "depression anxiety", "social-group anxiety-management crafts", (90, 120), "ae", 0.0,
        (7, 3, 0), "community"),
    "anxiety-management": _a(
        "mental-health", 3, "Stress Control|Managing Worry|Anxiety Group|Calm Course",
        "Stress Less|Worry Less|Breathing Space|Mind Matters|Keep Calm", [
            "A course on managing stress, worry and panic, with practical tools to try at home.",
            "Learn why anxiety happens and how to calm your body and mind.",
            "For anyone who feels on edge, can't sleep or has bad nerves.",
            "Mindfulness and relaxation exercises each week."],
        "anxiety depression", "peer-support tai-chi-yoga talking-therapy", (60, 90, 120),
        "mae", 0.1, (2, 4, 4), "library"),
    "bereavement-support": _a(
        "mental-health", 2, "Bereavement Group|Bereavement Cafe|Bereavement Support",
        "Moving Forward|Coping with Loss|Remembering Together|Still Here", [
            "Support for anyone who has lost a husband, wife, partner or family member.",
            "A bereavement cafe where you can talk about the person you've lost, or just sit.",
            "Trained bereavement volunteers offer one-to-one listening."],
        "depression anxiety", "peer-support social-group befriending", (60, 90, 120), "mae",
        0.3, (5, 4, 1), "church"),
    "talking-therapy": _a(
        "nhs-service", 3, "Talking Therapies|Counselling Service|Wellbeing Service",
        "Talking Space|Let's Talk|Open Minds|Talk It Through", [
            "Talking therapy and counselling for low mood, stress and anxiety.",
            "Therapists offer CBT and counselling by phone, online or face to face.",
            "You can refer yourself, you don't need to see your GP first."],
        "depression anxiety chronic-pain", "anxiety-management peer-support", (50, 60),
        "mae", 0.8, (0, 5, 5), "health"),
    "physiotherapy": _a(
        "nhs-service", 2, "Physiotherapy|Physio Service|MSK Physio|Physio Clinic",
        "Back in Motion|Moving Well|Joint Action", [
            "NHS physiotherapy for backs, necks, knees and other joints and muscles.",
            "A physio assesses you and gives you exercises to do at home.",
            "Group classes for knees and backs run alongside one-to-one appointments."],
        "arthritis chronic-pain osteoporosis", "gentle-exercise pain-management", (30, 45, 60),
        "ma", 0.7, (0, 6, 4), "health"),
    "pulmonary-rehab": _a(
        "nhs-service", 1, "Pulmonary Rehab|Lung Rehab|Breathing Rehab",
        "Breathe Better|Pulmonary Rehab Programme", [
            "An eight-week NHS pulmonary rehab programme of exercise and education.",
            "A physio and nurse help you do more while managing breathlessness.",
            "You need a referral from your GP or respiratory nurse."],
        "copd asthma", "breathing-support gentle-exercise", (90, 120), "ma", 0.1, (0, 2, 8),
        "health"),
    "cardiac-rehab": _a(
        "nhs-service", 1, "Cardiac Rehab|Heart Rehab|Cardiac Exercise",
        "Heart Manual|Heart Health Programme|Phase Four", [
            "Cardiac rehab exercise after a heart attack, stent or heart surgery.",
            "A nurse checks your blood pressure and heart rate before each class.",
            "Classes build up slowly so you can get your confidence back."],
        "coronary-heart-disease heart-failure high-blood-pressure", "heart-support gym",
        (60, 90), "ma", 0.2, (0, 3, 7), "leisure"),
    "stop-smoking": _a(
        "nhs-service", 2, "Stop Smoking Service|Stop Smoking Clinic|Quit Clinic",
        "Smokefree|Quit Together|Breathe Free|Stub It Out", [
            "Free stop smoking support: weekly check-ins plus patches, gum or a vape.",
            "You're three times more likely to quit with support than on willpower alone.",
            "No lectures, whether you smoke a few tabs a day or forty."],
        "copd asthma coronary-heart-disease", "breathing-support", (20, 30), "mae", 0.6,
        (1, 5, 4), "health"),
    "benefits-advice": _a(
        "welfare-rights", 5, "Welfare Rights|Benefits Advice|Advice Surgery|Money Advice",
        "Money Matters|Benefit Check|Claim It|Advice Point|Money Sorted", [
            "Free, confidential benefits advice from trained welfare rights advisers.",
            "Help with Universal Credit, PIP, ESA, Attendance Allowance and Pension Credit.",
            "Help with forms, sanctions, assessments and appeals.",
            "Bring any letters you've had from the DWP or the council."],
        "", "debt-advice housing-advice", (120, 180, 240), "mma", 0.5, (8, 2, 0), "other"),
    "debt-advice": _a(
        "welfare-rights", 4, "Debt Advice|Money Advice|Bills Clinic|Debt Clinic",
        "Debt Free|Money Sorted|Clear Your Debts|Money Worries", [
            "Free debt advice if you're skint, behind on bills or worried about bailiffs.",
            "Help with gas and electric bills, council tax arrears, catalogues and credit cards.",
            "An adviser can talk to the people you owe so you don't have to.",
            "No judgement, whatever the amount."],
        "", "benefits-advice housing-advice", (120, 180), "mma", 0.5, (7, 3, 0), "other"),
    "housing-advice": _a(
        "welfare-rights", 2, "Housing Advice|Housing Surgery|Tenants Advice",
        "Home Truths|Safe at Home|Housing Options|A Place to Call Home", [
            "Housing advice about rent arrears, repairs, damp and mould, and eviction.",
            "Help with bidding for council and housing association homes.",
            "Advisers can speak to your landlord on your behalf."],
        "", "benefits-advice debt-advice", (120, 180), "mma", 0.5, (7, 3, 0), "other"),
    "aids-adaptations": _a(
        "welfare-rights", 1, "Aids and Adaptations|Home Safety Checks|Handyperson Service",
        "Safe at Home|Home Help|Independent Living|Staying Put", [
            "Grab rails, stair rails, bath seats and other aids so you can stay in your home.",
            "An occupational therapist can assess what would make daily life easier.",
            "Help applying for a grant for a stairlift or walk-in shower."],
        "arthritis osteoporosis dementia copd", "housing-advice", (60,), "mma", 0.9, (6, 3, 1)),
    "cv-job-search": _a(
        "learning-employment", 3, "Job Club|Jobs Club|Work Club|CV Clinic",
        "Next Steps|Job Ready|Get Hired|Step Up|New Start", [
            "A weekly job club with help writing your CV and applying for jobs online.",
            "Practise interviews and get free printing and internet.",
            "Advisers know which local employers are hiring."],
        "", "digital-skills back-to-work", (120, 180), "mma", 0.3, (3, 5, 2), "library"),
    "back-to-work": _a(
        "learning-employment", 2, "Back to Work|Work and Health|Return to Work",
        "Work Well|Back on Track|Working Well|Fit for Work", [
            "Support if you're off sick or struggling to stay in work with a health condition.",
            "An employment adviser can help with a phased return and reasonable adjustments.",
            "One-to-one support for as long as you need it, alongside your treatment."],
        "depression anxiety chronic-pain", "cv-job-search anxiety-management", (60,), "mma",
        0.8, (2, 5, 3), "other"),
    "adult-learning": _a(
        "learning-employment", 4, "Adult Learning|Learning Club|Course|Classes|Workshop",
        "Learn Local|Never Too Late|Learn for Life|Brain Gym|Skills for Life", [
            "Friendly adult learning courses in maths, English, history and local heritage.",
            "Learn something new with no exams and no pressure.",
            "Short courses run each term; some lead to a qualification if you want one.",
            "Brain training, quizzes and puzzles to keep the mind sharp."],
        "depression dementia", "digital-skills art-group", (90, 120, 150), "mae", 0.0,
        (2, 3, 5), "library"),
    "digital-skills": _a(
        "learning-employment", 4, "Computer Club|Digital Drop-in|Get Online|Tech Help",
        "Get Online|Digital Buddies|Tech and Tea|Click Start|Silver Surfers", [
            "Help with computers, tablets and smartphones, from switching on to video calls.",
            "Learn to get online, send emails, shop safely and use the NHS app.",
            "Bring your own device or borrow one of ours.",
            "Help with online forms, Universal Credit journals and booking GP appointments."],
        "dementia", "cv-job-search benefits-advice adult-learning", (90, 120), "mae", 0.1,
        (6, 3, 1), "library"),
    "english-language": _a(
        "learning-employment", 3, "English Classes|ESOL|Conversation Club|English Cafe",
        "Speak Up|English for Life|Talk English|Word by Word", [
            "Free English classes (ESOL) for adults, from beginners upwards.",
            "Practise speaking English in a relaxed conversation club.",
            "Learn the English you need for the doctor, school and shops.",
            "Free creche places for children under five."],
        "", "social-group adult-learning", (90, 120, 150), "mae", 0.0, (2, 4, 4), "library"),
    "volunteer-role": _a(
        "volunteering", 4, "Volunteers|Volunteering|Volunteer Team|Helpers",
        "Give Back|Lend a Hand|Team Kind|Helping Hands|Get Involved", [
            "Volunteer with us: drivers, cafe helpers, walk leaders and gardeners all needed.",
            "Training and travel expenses are paid, and you can give as much time as suits you.",
            "A good way to get out of the house, feel useful and meet people.",
            "Supported volunteering for people getting their confidence back."],
        "depression anxiety", "gardening lunch-club social-group", (120, 180, 240), "mma",
        0.5, (3, 4, 3)),
    "choir-singing": _a(
        "arts", 3, "Community Choir|Singing Group|Sing Along|Singers|Choir",
        "Sing Out|Sing for Joy|Voices Together|Lift Your Voice|Singing for Wellbeing", [
            "A community choir for people who love to sing; no auditions, no reading music.",
            "We sing pop, folk and old favourites, with tea and biscuits at half time.",
            "Singing is great for your breathing and your mood.",
            "Sing along to songs you know in a warm and welcoming group."],
        "copd dementia depression asthma", "breathing-support social-group", (60, 90, 120),
        "mae", 0.0, (6, 4, 0), "church"),
    "art-group": _a(
        "arts", 3, "Art Group|Art Club|Painting Group|Art Workshop|Creative Cafe",
        "Arts on Prescription|Colour In|Brush Strokes|Creative Minds|Open Studio", [
            "A relaxed art group: painting, drawing, printmaking and collage.",
            "All materials are provided and there's an artist on hand to help.",
            "Arts on prescription for people with low mood, anxiety or long-term pain.",
            "Nobody minds if you think you can't draw."],
        "depression anxiety dementia chronic-pain", "crafts peer-support", (90, 120, 150),
        "mae", 0.0, (5, 4, 1), "community"),
    "crafts": _a(
        "community", 4, "Knit and Natter|Craft Club|Sewing Circle|Crafters|Stitch Club",
        "Knit and Natter|Stitch and Chat|Crafty Corner|Make and Mend|Hooked", [
            "Bring your knitting, crochet or sewing and enjoy a natter.",
            "Learn to knit or sew from scratch, or share what you know.",
            "Woodwork and repair projects for anyone who likes making things.",
            "We knit blankets and hats for the hospital and the food bank."],
        "dementia depression arthritis", "social-group art-group volunteer-role", (90, 120),
        "mae", 0.0, (8, 2, 0), "church"),
    "gardening": _a(
        "community", 4, "Gardeners|Allotment Group|Growing Club|Garden Club|Green Gym",
        "Green Fingers|Grow Well|Dig In|Seeds of Change|Roots and Shoots", [
            "A community allotment where we grow fruit, veg and flowers together.",
            "Raised beds so you can garden sitting down; tools and gloves provided.",
            "Fresh air, light exercise and a brew in the polytunnel.",
            "Take home what you grow, and learn to cook it too."],
        "depression anxiety copd dementia", "volunteer-role walking-group social-group",
        (120, 180), "mma", 0.0, (7, 3, 0), "outdoor"),
    "fishing": _a(
        "community", 1, "Angling Club|Fishing Group|Anglers|Fishing Club",
        "Reel Life|Tight Lines|Get Hooked|Cast Away", [
            "Fishing sessions on the lake and the river with kit provided.",
            "A quiet way to spend time outdoors, with coaches for beginners.",
            "Mostly men, mostly chatting; nobody cares if you catch anything."],
        "depression anxiety", "mens-shed social-group", (180, 240), "mma", 0.1, (8, 2, 0),
        "outdoor"),
    "lunch-club": _a(
        "community", 5, "Lunch Club|Community Cafe|Luncheon Club|Dinner Club|Friday Lunch",
        "Come Dine|Pop In Cafe|Pay as You Feel Cafe|Lunch and Laughs|The Friendly Cafe", [
            "A hot two-course dinner and a natter for a couple of quid.",
            "Pay-as-you-feel community cafe with soup, sandwiches and cake.",
            "Transport can be arranged if you can't get here on your own.",
            "Bingo, quizzes or a speaker after lunch."],
        "dementia depression", "social-group befriending", (90, 120, 150), "am", 0.0,
        (8, 2, 0), "church"),
    "social-group": _a(
        "community", 9, "Friendship Club|Social Club|Coffee Morning|Friendship Group|Cafe",
        "Good Company|Chatterbox|Friends Together|Come and Join Us|The Natter Club", [
            "A friendship group for anyone feeling lonely or on their own.",
            "A brew, a biscuit and a natter: just turn up.",
            "Games, quizzes, trips out and a warm place to spend the afternoon.",
            "A lot of our members came on their own the first time, so don't worry."],
        "dementia depression", "lunch-club crafts befriending", (90, 120, 150), "mae", 0.0,
        (8, 2, 0), "community"),
    "mens-shed": _a(
        "community", 2, "Men's Shed|Shed|Blokes' Shed",
        "The Shed|Shoulder to Shoulder|Tinkers|Mend It", [
            "A men's shed where blokes get together to make and mend things.",
            "Woodwork, metalwork, bike repairs and a brew.",
            "Men talk shoulder to shoulder, not face to face."],
        "depression", "crafts gardening volunteer-role", (120, 180, 240), "mma", 0.0,
        (8, 2, 0), "other"),
    "befriending": _a(
        "community", 3, "Befriending|Befrienders|Good Neighbours|Friendly Calls",
        "Call In|Good Neighbours|Time to Talk|Friendly Faces|Chatline", [
            "A volunteer befriender visits or phones once a week for a chat.",
            "For people who are lonely, housebound or can't get out much.",
            "We match you with someone who shares your interests.",
            "Your befriender can come with you to a local group when you feel ready."],
        "dementia depression copd", "social-group", (60,), "mma", 0.9, (6, 4, 0)),
    "carers-support": _a(
        "community", 3, "Carers Group|Carers Cafe|Carers Support|Carers Drop-in",
        "Caring Together|Time for You|Carers Connect|Cuppa for Carers", [
            "Support for anyone looking after a family member, partner or friend.",
            "A carers cafe with a brew, a break and advice on Carer's Allowance.",
            "Pampering sessions and trips out so carers get time for themselves.",
            "Sitting service available so you can come along."],
        "dementia", "peer-support social-group benefits-advice", (90, 120), "mae", 0.2,
        (7, 3, 0), "community"),
}
ACTIVITY_IDS = list(ACTIVITIES)
ACTIVITY_CUM = []
_total = 0.0
for _act in ACTIVITIES.values():
    _total += _act.weight
    ACTIVITY_CUM.append(_total)

# modes of delivery and the activities that make sense delivered that way
HOME_POOL = ["befriending", "aids-adaptations", "benefits-advice", "debt-advice",
             "housing-advice", "carers-support", "physiotherapy", "cardiac-rehab",
             "digital-skills", "bereavement-support"]
PHONE_POOL = ["befriending", "benefits-advice", "debt-advice", "housing-advice",
              "talking-therapy", "stop-smoking", "carers-support", "bereavement-support",
              "back-to-work", "peer-support", "anxiety-management", "cardiac-rehab"]
ONLINE_POOL = ["peer-support", "anxiety-management", "talking-therapy", "self-management-course",
               "weight-management", "food-diary-coaching", "gentle-exercise", "tai-chi-yoga",
               "adult-learning", "digital-skills", "english-language", "cv-job-search",
               "choir-singing", "art-group", "pulmonary-rehab", "diabetes-education",
               "epilepsy-support", "back-to-work", "cooking-class", "benefits-advice",
               "carers-support"]

# --- organisations -----------------------------------------------------------------------
# kind: (weight, name templates, description sentences, preferred activities)
ORG_KINDS: dict[str, tuple[int, list[str], list[str], list[str]]] = {
    "community": (
        20, ["{place} Community Association", "{place} Community Trust", "{place} Community Hub",
             "{place} Neighbourhood Network", "{place} Tenants and Residents Association"],
        ["A community organisation run by and for people in {place}.",
         "We run activities, a cafe and a warm space most days of the week.",
         "Run by local volunteers since {year}."],
        ["social-group", "lunch-club", "crafts", "gentle-exercise", "digital-skills",
         "art-group", "choir-singing", "befriending"]),
    "advice": (
        10, ["{place} Advice Centre", "{town} Money Advice", "{town} Welfare Rights Service",
             "{place} Law Centre"],
        ["Free, confidential advice on benefits, debt and housing for people in {town}.",
         "Our advisers are trained and regulated, and we never charge.",
         "We help around {k} thousand people a year."],
        ["benefits-advice", "debt-advice", "housing-advice", "aids-adaptations"]),
    "nhs": (
        10, ["{town} Community Health Services", "{town} Talking Therapies",
             "{town} Respiratory Team", "{town} Physiotherapy Service",
             "{town} Stop Smoking Service", "{place} Primary Care Network"],
        ["An NHS service for people registered with a GP in {town}.",
         "Part of the local NHS trust.", "Our clinics run from health centres across {town}."],
        ["talking-therapy", "physiotherapy", "pulmonary-rehab", "cardiac-rehab", "stop-smoking",
         "self-management-course", "diabetes-education", "weight-management"]),
    "leisure": (
        8, ["{town} Active", "{town} Leisure Trust", "{place} Sports Club", "{town} Health Walks"],
        ["A charitable trust running leisure centres and community sport in {town}.",
         "We help people who don't think of themselves as sporty to get more active."],
        ["gym", "swimming", "dance", "tai-chi-yoga", "gentle-exercise", "walking-group",
         "cycling"]),
    "condition": (
        8, ["{town} Breathe Easy", "{town} Diabetes Group", "{town} Heart Support Group",
            "{town} Pain Network", "{town} Epilepsy Support", "{town} Osteoporosis Group"],
        ["A members' group for people living with a long-term condition in {town}.",
         "Started in {year} by patients who wanted to keep meeting after their course ended."],
        ["breathing-support", "heart-support", "epilepsy-support", "bone-health",
         "pain-management", "diabetes-education", "peer-support", "self-management-course"]),
    "wellbeing": (
        10, ["{town} Wellbeing Partnership", "{place} Mental Health Network",
             "{town} Recovery College", "{place} Wellbeing Centre", "{town} Recovery Network"],
        ["A mental health and wellbeing charity for {town} and the surrounding area.",
         "Everything we do is shaped by people with lived experience."],
        ["peer-support", "anxiety-management", "bereavement-support", "talking-therapy",
         "art-group", "self-management-course"]),
    "learning": (
        8, ["{town} Adult Learning", "{place} Learning Centre", "{town} Workers' Education Group",
            "{place} Skills Hub"],
        ["Adult learning and employment support for people in {town}.",
         "Most of our courses are free if you're on benefits or a low income."],
        ["adult-learning", "digital-skills", "english-language", "cv-job-search",
         "back-to-work"]),
    "volunteering": (
        6, ["{town} Volunteer Centre", "{town} Council for Voluntary Service",
            "{town} Good Neighbours", "{place} Time Bank"],
        ["We connect people who want to help with local groups that need them.",
         "Supporting volunteering across {town} since {year}."],
        ["volunteer-role", "befriending"]),
    "arts": (
        6, ["{place} Arts Project", "{town} Community Choir", "{town} Arts and Health",
            "{place} Studios"],
        ["A community arts charity bringing creative activity to {place}.",
         "Our artists work with GP practices, care homes and community groups."],
        ["art-group", "choir-singing", "crafts"]),
    "outdoors": (
        6, ["Friends of {place} Park", "{place} Community Garden", "{town} Angling Club",
            "{place} Growing Project", "{town} Bike Project"],
        ["We look after green spaces in {place} and get people outdoors.",
         "Volunteers welcome every week, no experience needed."],
        ["gardening", "fishing", "walking-group", "cycling", "volunteer-role"]),
    "food": (
        5, ["{place} Food Project", "{town} Healthy Lifestyles", "{place} Community Kitchen"],
        ["Healthy, affordable food and cooking for people in {place}.",
         "We also run a pay-as-you-feel cafe and a food share."],
        ["cooking-class", "weight-management", "food-diary-coaching", "lunch-club"]),
    "older-carers": (
        8, ["{town} Carers Centre", "{town} Older People's Forum", "{place} Men's Shed",
            "{town} Memory Support", "{place} Senior Citizens Club"],
        ["Support and activities for older people and carers in {town}.",
         "Our members are mostly over 60 and we have been going since {year}."],
        ["carers-support", "befriending", "mens-shed", "lunch-club", "social-group"]),
}
ORG_KIND_IDS = list(ORG_KINDS)
ORG_KIND_CUM: list[float] = []
_total = 0.0
for _kind in ORG_KINDS.values():
    _total += _kind[0]
    ORG_KIND_CUM.append(_total)

# --- service-level facts -------------------------------------------------------------------
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
             "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
DAY_CUM = [1, 2, 3, 4, 5, 5.4, 5.65]
DAY_ORDER = {d: k for k, d in enumerate(DAYS)}
STARTS = {"m": [540, 570, 600, 600, 630, 660],        # 09:00 - 11:00
          "a": [780, 810, 840, 840, 870],              # 13:00 - 14:30
          "e": [1080, 1110, 1140, 1170]}               # 18:00 - 19:30
OTHER_LANGUAGES = ["ur", "bn", "pa", "ar", "pl", "zh", "fa", "ku", "so", "ro", "cy"]
LANGUAGE_NAMES = {"ur": "Urdu", "bn": "Bengali", "pa": "Punjabi", "ar": "Arabic", "pl": "Polish",
                  "zh": "Cantonese", "fa": "Farsi", "ku": "Kurdish", "so": "Somali",
                  "ro": "Romanian", "cy": "Welsh"}
CONDITION_WORDS = {
    "type-1-diabetes": ["type 1 diabetes"], "type-2-diabetes": ["type 2 diabetes", "high sugars"],
    "copd": ["COPD", "emphysema", "a bad chest"], "asthma": ["asthma"],
    "coronary-heart-disease": ["heart problems", "angina", "a heart condition"],
    "heart-failure": ["heart failure"], "epilepsy": ["epilepsy", "seizures"],
    "osteoporosis": ["osteoporosis", "brittle bones"], "anxiety": ["anxiety", "bad nerves"],
    "depression": ["depression", "low mood"], "high-blood-pressure": ["high blood pressure"],
    "arthritis": ["arthritis", "stiff joints", "dodgy knees"],
    "chronic-pain": ["long-term pain", "back pain", "fibromyalgia"],
    "obesity": ["weight worries", "obesity"], "cancer-recovery": ["cancer", "life after cancer"],
    "dementia": ["dementia", "memory problems"],
}
CONDITION_IDS = list(CONDITION_WORDS)
CONDITION_LINES = ["Especially welcoming if you live with {a}.",
                   "Many of our members have {a} or {b}.",
                   "Adapted for people with {a}, so you can go at your own pace.",
                   "Suitable if you have {a}; just let the leader know."]
ACCESS_LINES = {
    "beginners-welcome": ["Complete beginners are very welcome.", "No experience needed."],
    "miss-sessions-ok": ["Don't worry if you have to miss a week when you're unwell.",
                         "Come when you can; nobody minds if you miss a session."],
    "accompanied-first-visit": ["You're welcome to bring someone with you the first time.",
                                "A volunteer can meet you and come along the first time."],
    "carers-welcome": ["Carers and family are welcome too."],
    "dementia-friendly": ["We're a dementia-friendly group.",
                          "Staff are trained Dementia Friends."],
    "interpreter-available": ["An interpreter can be arranged if you need one."],
    "women-only": ["This is a women-only group.", "Women only, with female leaders."],
    "men-only": ["This group is just for men."],
    "drop-in": ["No need to book, just turn up.", "Drop in any time during the session."],
    "booking-required": ["Places are limited, so please ring to book.",
                         "Booking is essential."],
    "professional-referral": ["You'll need a referral from your GP, nurse or Link Worker."],
}
FIRST_NAMES = ["Dawn", "Jim", "Sheila", "Kath", "Pauline", "Steve", "Gary", "Lorraine", "Bev",
               "Mo", "Aisha", "Priya", "Tomasz", "Anne", "Ray", "Carol", "Bill", "Sue", "Jean",
               "Ian", "Tracey", "Kev", "Hassan", "Nadia", "Brenda", "Colin", "Joyce", "Amir"]
FREE_COSTS = ["Free", "Free", "Free, tea and biscuits provided", "Free; donations welcome",
              "Free, just pay for your own brew"]
LOW_COSTS = ["£1 a session", "£2 a session", "£2.50 including a cuppa", "£3 a week",
             "£4, concessions £2", "£1.50, first session free", "50p for tea and biscuits"]
PAID_COSTS = ["£6 a session", "£5.50 a class, concessions available",
              "£30 for the six-week course", "£8 a month membership", "£7.50 a session"]
DATE_FIRST = date(2024, 9, 1).toordinal()
DATE_SPAN = date(2026, 11, 20).toordinal() - DATE_FIRST
_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _phone(rng: random.Random) -> str:
    prefix = "0191 498 0" if rng.random() < 0.5 else "0113 496 0"
    return f"{prefix}{_index(rng, 1000):03d}"


def _pick(rng: random.Random, seq: Sequence[T]) -> T:
    """rng.choice, several times faster (one float instead of rejection sampling)."""
    return seq[int(rng.random() * len(seq))]


def _index(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _weighted(rng: random.Random, items: Sequence[T], cum_weights: list[float]) -> T:
    """rng.choices(items, cum_weights=...)[0] without building a list."""
    return items[min(bisect_right(cum_weights, rng.random() * cum_weights[-1]), len(items) - 1)]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _town_weights() -> list[float]:
    cum, total = [], 0.0
    for town in TOWNS:
        total += town[3]
        cum.append(total)
    return cum


TOWN_CUM = _town_weights()
VENUE_KIND_IDS = list(VENUE_KINDS)
VENUE_KIND_CUM: list[float] = []
_total = 0.0
for _vk in VENUE_KINDS.values():
    _total += _vk[0]
    VENUE_KIND_CUM.append(_total)


# --- generators ----------------------------------------------------------------------------


def _make_location(rng: random.Random, t: int) -> tuple[dict[str, Any], str]:
    name, lat0, lon0, _pop, radius, hoods = TOWNS[t]
    nb, outward = hoods[_index(rng, len(hoods))]
    kind = _weighted(rng, VENUE_KIND_IDS, VENUE_KIND_CUM)
    street = f"{_pick(rng, STREETS)} {_pick(rng, STREET_KINDS)}"
    venue_name = _pick(rng, VENUE_KINDS[kind][1]).format(
        nb=nb, town=SHORT_TOWN.get(name, name), street=street.split()[0],
        saint=_pick(rng, SAINTS))
    d = radius * math.sqrt(rng.random())
    theta = rng.random() * 2 * math.pi
    lat = lat0 + d * math.cos(theta) / 111.0
    lon = lon0 + d * math.sin(theta) / (111.32 * math.cos(math.radians(lat0)))
    wheelchair = rng.random() < 0.72
    step_free = wheelchair or rng.random() < 0.2
    flags = {
        "wheelchair-accessible": wheelchair,
        "step-free": step_free,
        "accessible-toilet": rng.random() < (0.75 if wheelchair else 0.15),
        "hearing-loop": rng.random() < 0.28,
        "near-bus-stop": rng.random() < 0.75,
        "parking": rng.random() < (0.7 if kind in ("leisure", "health", "outdoor") else 0.4),
    }
    notes = []
    if rng.random() < 0.9:
        notes.append("Level entrance at the front." if step_free else
                     f"There are {_pick(rng, ['two', 'three', 'five', 'a few'])} steps at the "
                     "entrance" + (", with a handrail." if rng.random() < 0.6 else "."))
        if flags["accessible-toilet"]:
            notes.append("Accessible toilet on the ground floor.")
        if flags["hearing-loop"] and rng.random() < 0.5:
            notes.append("Hearing loop in the main hall.")
        if flags["near-bus-stop"] and rng.random() < 0.6:
            notes.append(f"The {rng.randint(1, 99)} bus stops "
                         f"{_pick(rng, ['outside', 'a minute away', 'at the end of the road'])}.")
        if flags["parking"] and rng.random() < 0.5:
            notes.append(f"Free car park with {rng.randint(1, 6)} blue badge spaces.")
        elif not flags["parking"] and rng.random() < 0.3:
            notes.append("Street parking only.")
    inward = f"{rng.randint(1, 9)}{_pick(rng, INWARD_LETTERS)}{_pick(rng, INWARD_LETTERS)}"
    return {
        "id": _uuid(rng),
        "name": venue_name,
        "address_1": f"{rng.randint(1, 220)} {street}",
        "town": name,
        "postcode": f"{outward} {inward}",
        "latitude": round(lat, 5),
        "longitude": round(lon, 5),
        "access": [a for a in VENUE_ACCESS if flags[a]],
        "access_notes": " ".join(notes),
    }, kind


def _make_organization(rng: random.Random, t: int) -> tuple[dict[str, Any], str, str]:
    town, hoods = TOWNS[t][0], TOWNS[t][5]
    short = SHORT_TOWN.get(town, town)
    kind = _weighted(rng, ORG_KIND_IDS, ORG_KIND_CUM)
    _w, names, lines, _prefs = ORG_KINDS[kind]
    place = hoods[_index(rng, len(hoods))][0] if rng.random() < 0.6 else short
    name = _pick(rng, names).format(place=place, town=short)
    fill = {"place": place, "town": short, "year": rng.randint(1975, 2022),
            "k": rng.randint(1, 9)}
    k = 1 if len(lines) < 3 else rng.randint(1, 2)
    description = " ".join(line.format(**fill) for line in [lines[0], *rng.sample(lines[1:], k)])
    slug = _slug(name)
    return {
        "id": _uuid(rng),
        "name": name,
        "description": description,
        "email": f"{slug}@example.org",
        "phone": _phone(rng),
        "website": f"https://example.org/{slug}",
    }, kind, slug


def make_catalogue(n: int, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """n services with about n/3 organisations and n/2 venues; deterministic for (n, seed)."""
    # Hundreds of thousands of small acyclic dicts: the cyclic collector only costs time here.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _make_catalogue(n, seed)
    finally:
        if collecting:
            gc.enable()


def _make_catalogue(n: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    n_orgs = max(1, round(n / 3))
    n_venues = max(1, round(n / 2))

    locations: list[dict[str, Any]] = []
    by_town: dict[int, list[str]] = {}
    by_town_kind: dict[tuple[int, str], list[str]] = {}
    for _ in range(n_venues):
        t = _weighted(rng, range(len(TOWNS)), TOWN_CUM)
        loc, kind = _make_location(rng, t)
        locations.append(loc)
        by_town.setdefault(t, []).append(loc["id"])
        by_town_kind.setdefault((t, kind), []).append(loc["id"])
    venue_name = {loc["id"]: loc["name"] for loc in locations}
    all_venues = [loc["id"] for loc in locations]

    organizations: list[dict[str, Any]] = []
    org_meta: list[tuple[int, str, str]] = []  # town index, kind, slug
    for _ in range(n_orgs):
        t = _weighted(rng, range(len(TOWNS)), TOWN_CUM)
        org, kind, slug = _make_organization(rng, t)
        organizations.append(org)
        org_meta.append((t, kind, slug))

    services = [
        _make_service(rng, i, organizations, org_meta, by_town, by_town_kind, all_venues,
                      venue_name)
        for i in range(n)
    ]
    return {"organizations": organizations, "locations": locations, "services": services}


def _make_service(
    rng: random.Random,
    i: int,
    organizations: list[dict[str, Any]],
    org_meta: list[tuple[int, str, str]],
    by_town: dict[int, list[str]],
    by_town_kind: dict[tuple[int, str], list[str]],
    all_venues: list[str],
    venue_name: dict[str, str],
) -> dict[str, Any]:
    rand = rng.random
    o = i if i < len(organizations) else _index(rng, len(organizations))
    org = organizations[o]
    t, org_kind, org_slug = org_meta[o]
    town, hoods = TOWNS[t][0], TOWNS[t][5]
    short = SHORT_TOWN.get(town, town)

    # how it is delivered: decided first so the activity fits it
    home, phone, online = rand() < 0.03, rand() < 0.04, rand() < 0.06
    pool: list[str] | None = None
    for flag, mode_pool in ((home, HOME_POOL), (phone, PHONE_POOL), (online, ONLINE_POOL)):
        if flag:
            narrowed = mode_pool if pool is None else [a for a in pool if a in mode_pool]
            if narrowed:
                pool = narrowed
            elif mode_pool is PHONE_POOL:
                phone = False
            else:
                online = False
    remote_only = home or ((phone or online) and rand() < 0.7)

    # activities and categories
    if pool is not None:
        primary = _pick(rng, pool)
    elif rand() < 0.6:
        primary = _pick(rng, ORG_KINDS[org_kind][3])
    else:
        primary = _weighted(rng, ACTIVITY_IDS, ACTIVITY_CUM)
    act = ACTIVITIES[primary]
    activities = [primary]
    categories = [act.category]
    r = rand()
    extra = 0 if r < 0.45 else 1 if r < 0.8 else 2 if r < 0.95 else 3
    for _ in range(extra):
        if rand() < 0.8:
            cand = _pick(rng, ACTIVITIES[_pick(rng, activities)].companions)
        else:
            cand = _weighted(rng, ACTIVITY_IDS, ACTIVITY_CUM)
        if cand in activities or (remote_only and pool is not None and cand not in pool):
            continue
        cat = ACTIVITIES[cand].category
        if cat not in categories:
            if len(categories) == 3:
                continue
            categories.append(cat)
        activities.append(cand)
    if len(categories) < 3 and rand() < 0.12:
        cat = _pick(rng, ("mental-health", "community", "physical-activity", "ltc-management"))
        if cat not in categories:
            categories.append(cat)

    # conditions
    typical = list(dict.fromkeys(c for a in activities for c in ACTIVITIES[a].conditions))
    r = rand()
    if typical:
        k = 0 if r < 0.25 else 1 if r < 0.6 else 2 if r < 0.88 else 3
        conditions = rng.sample(typical, min(k, len(typical)))
    else:
        conditions = [_pick(rng, CONDITION_IDS)] if r < 0.12 else []

    # access facts
    nhs = act.category == "nhs-service"
    access: list[str] = []
    r = rand()
    cost_kind = "free" if (nhs or r < 0.6) else "low-cost" if r < 0.86 else "paid"
    if cost_kind != "paid":
        access.append(cost_kind)
    by_appointment = home or rand() < act.appointment
    if not by_appointment and not remote_only and rand() < 0.55:
        access.append("drop-in")
    elif rand() < 0.5:
        access.append("booking-required")
    if not nhs or rand() < 0.5:
        access.append("self-referral")
    if (nhs and rand() < 0.6) or rand() < 0.1:
        access.append("professional-referral")
    if "self-referral" not in access and "professional-referral" not in access:
        access.append("self-referral")
    for term, p in (("accompanied-first-visit", 0.2), ("beginners-welcome", 0.5),
                    ("miss-sessions-ok", 0.3), ("carers-welcome", 0.3)):
        if rand() < p:
            access.append(term)
    if rand() < (0.4 if "dementia" in conditions else 0.05):
        access.append("dementia-friendly")
    r = rand()
    if r < 0.03 and primary != "mens-shed":
        access.append("women-only")
    elif r < 0.06 or (primary == "mens-shed" and r < 0.5):
        access.append("men-only")
    for flag, term in ((online, "online"), (phone, "telephone"), (home, "home-visit")):
        if flag:
            access.append(term)

    languages = ["en"]
    if rand() < 0.08:
        languages.append(_pick(rng, OTHER_LANGUAGES))
        if rand() < 0.25:
            other = _pick(rng, OTHER_LANGUAGES)
            if other not in languages:
                languages.append(other)
    if (len(languages) > 1 and rand() < 0.5) or rand() < 0.04:
        access.append("interpreter-available")

    # where and when
    location_ids: list[str] = []
    if not remote_only:
        kind_venues = by_town_kind.get((t, act.venue)) if act.venue else None
        town_venues = by_town.get(t) or all_venues
        first = _pick(rng, kind_venues if kind_venues and rand() < 0.8 else town_venues)
        location_ids.append(first)
        if rand() < 0.15:
            second = _pick(rng, town_venues)
            if second != first:
                location_ids.append(second)
    coverage: list[str] = []
    if home:
        codes = list(dict.fromkeys(code for _nb, code in hoods))
        coverage = rng.sample(codes, rng.randint(1, min(4, len(codes))))
    schedule: list[dict[str, Any]] = []
    if not by_appointment:
        r = rand()
        count = 1 if r < 0.6 else 2 if r < 0.88 else 3 if r < 0.98 else 0
        used: set[str] = set()
        for _ in range(count):
            day = _weighted(rng, DAYS, DAY_CUM)
            if day in used:
                continue
            used.add(day)
            length = _pick(rng, act.minutes)
            start = _pick(rng, STARTS[_pick(rng, act.parts)])
            if start + length > 1260:  # finish by 21:00
                start = 1260 - length
            where = _pick(rng, location_ids) if location_ids and not (
                (phone or online) and rand() < 0.5) else None
            schedule.append({"day": day, "start": _hhmm(start), "end": _hhmm(start + length),
                             "location_id": where})
        schedule.sort(key=lambda s: DAY_ORDER[s["day"]])

    # words
    place = hoods[_index(rng, len(hoods))][0] if rand() < 0.65 else short
    if location_ids and rand() < 0.5:
        place = next((nb for nb, _code in hoods if nb in venue_name[location_ids[0]]), place)
    r = rand()
    if r < 0.35:
        name = f"{place} {_pick(rng, act.nouns)}"
    elif r < 0.55 and schedule:
        name = f"{place} {DAY_NAMES[schedule[0]['day']]} {_pick(rng, act.nouns)}"
    elif r < 0.8:
        name = f"{_pick(rng, act.brands)} {place}"
    else:
        name = _pick(rng, act.brands)
    if remote_only:
        name += " at Home" if home else " (online)" if online else " by Phone"
    elif "women-only" in access and rand() < 0.6:
        name = f"Women's {name}"

    lines = [_pick(rng, act.lines)]
    extras = []
    if len(activities) > 1:
        extras.append(_pick(rng, ACTIVITIES[activities[1]].lines))
    else:
        other = _pick(rng, act.lines)
        if other != lines[0]:
            extras.append(other)
    if conditions:
        words = [_pick(rng, CONDITION_WORDS[c]) for c in conditions]
        template = _pick(rng, CONDITION_LINES)
        if "{b}" in template and len(words) < 2:
            template = CONDITION_LINES[0]
        extras.append(template.format(a=words[0], b=words[-1]))
    if home:
        extras.append("A trained volunteer or adviser visits you at home.")
    elif online and remote_only:
        extras.append("Sessions run on Zoom, so you can join from home.")
    elif phone and remote_only:
        extras.append("Everything happens over the phone, so you don't need to go anywhere.")
    elif schedule and schedule[0]["location_id"]:
        s0 = schedule[0]
        extras.append(f"We meet at {venue_name[s0['location_id']]} on "
                      f"{DAY_NAMES[s0['day']]}s from {s0['start']}.")
    welcome = [a for a in access if a in ACCESS_LINES]
    if welcome:
        extras.append(_pick(rng, ACCESS_LINES[_pick(rng, welcome)]))
    if len(languages) > 1:
        extras.append(f"Sessions are also in {LANGUAGE_NAMES[languages[1]]}.")
    if not extras:
        extras.append(f"Run by {org['name']}.")
    rng.shuffle(extras)
    lines.extend(extras[: rng.randint(1, 3)])
    description = " ".join(lines)

    contact = _pick(rng, FIRST_NAMES)
    if home:
        first_visit = "We'll ring first to arrange a visit at a time that suits you."
    elif "professional-referral" in access and "self-referral" not in access:
        first_visit = "Ask your GP, nurse or Link Worker to refer you; we'll then ring you."
    elif online and remote_only:
        first_visit = "Email us and we'll send the link and a short guide to joining."
    elif phone and remote_only:
        first_visit = "Ring us; leave a message if nobody answers and we'll ring back."
    elif "drop-in" in access:
        first_visit = f"Just turn up and {contact} will say hello at the door."
    else:
        first_visit = f"Ring {contact} to book your first session or for a chat first."
    if "accompanied-first-visit" in access:
        first_visit += " You're welcome to bring someone with you."

    if cost_kind == "free":
        cost = "Free (NHS)" if nhs else _pick(rng, FREE_COSTS)
    elif cost_kind == "low-cost":
        cost = _pick(rng, LOW_COSTS)
    else:
        cost = _pick(rng, PAID_COSTS)

    r = rand()
    status = "active" if r < 0.94 else "paused" if r < 0.96 else "closed" if r < 0.98 else "pending"
    min_age: int | None = None
    max_age: int | None = None
    r = rand()
    if r < 0.2:
        min_age = 18
    elif r < 0.3:
        min_age = 16
    elif r < 0.37:
        min_age = _pick(rng, (50, 55, 60, 65))
    elif r < 0.4:
        min_age, max_age = _pick(rng, (11, 14, 16)), _pick(rng, (18, 19, 25))

    svc_slug = _slug(name)[:40].strip("-")
    return {
        "id": _uuid(rng),
        "organization_id": org["id"],
        "name": name,
        "description": description,
        "status": status,
        "categories": categories,
        "activities": activities,
        "conditions": conditions,
        "access": access,
        "intensity": rng.choices(("light", "moderate", "structured"), act.intensity)[0],
        "languages": languages,
        "min_age": min_age,
        "max_age": max_age,
        "location_ids": location_ids,
        "coverage_outward_codes": coverage,
        "schedule": schedule,
        "by_appointment": by_appointment,
        "cost": cost,
        "free": "free" in access,
        "phone": org["phone"] if rand() < 0.7 else _phone(rng),
        "email": org["email"] if rand() < 0.6 else f"{svc_slug}@example.org",
        "website": f"https://example.org/{org_slug}/{svc_slug}",
        "last_verified": date.fromordinal(DATE_FIRST + _index(rng, DATE_SPAN + 1)).isoformat(),
        "first_visit": first_visit,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of services")
    parser.add_argument("outdir", type=Path, help="folder for the three JSON files")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    catalogue = make_catalogue(args.n, args.seed)
    made = time.perf_counter() - began
    args.outdir.mkdir(parents=True, exist_ok=True)
    for key in ("organizations", "locations", "services"):
        text = json.dumps(catalogue[key], ensure_ascii=False)
        (args.outdir / f"{key}.json").write_text(text, encoding="utf-8")
    print(f"{args.n} services, {len(catalogue['organizations'])} organisations, "
          f"{len(catalogue['locations'])} venues in {made:.1f}s -> {args.outdir}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
