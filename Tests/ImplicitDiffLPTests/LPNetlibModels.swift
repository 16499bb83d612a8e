// Two small Netlib LP models (netlib.org/lp/data, public domain test set), verbatim in
// fixed MPS format, so that tests need no files outside the package (and SC50A below): KB2 (43 rows, 41
// columns, non-degenerate optimal vertex, optimal value -1.7499001299E+03) and AFIRO
// (27 rows, 32 columns, degenerate, optimal value -4.6475314286E+02).

enum LPNetlibModels {
    static let kb2 = """
NAME          KB2
ROWS
 N  FAT7..J.
 E  BAL...BW
 E  BHC...BW
 E  BLC...BW
 E  BLV...BW
 E  BN4...BW
 E  BP8...BW
 E  BTO...BW
 E  B3E...BW
 E  B3P...BW
 E  B3R...BW
 E  B3T...BW
 E  B3E.VOBW
 E  B3P.VOBW
 E  B3R.VOBW
 G  HMH.3EBW
 G  HML.3EBW
 G  HMM.3EBW
 G  HRH.3EBW
 G  HRL.3EBW
 G  HRM.3EBW
 G  HMH.3RBW
 G  HML.3RBW
 G  HMM.3RBW
 G  HRH.3RBW
 G  HRL.3RBW
 G  HRM.3RBW
 G  NOI.3EBW
 G  NOI.3PBW
 G  NOI.3RBW
 E  WMO.3PBW
 E  WRO.3PBW
 L  XPB.3ABW
 L  XCV.3EBW
 L  XPB.3EBW
 L  XRV.3EBW
 L  X12.3EBW
 L  XCV.3PBW
 L  XRV.3PBW
 L  X12.3PBW
 L  XCV.3RBW
 L  XPB.3RBW
 L  XRV.3RBW
 L  X12.3RBW
COLUMNS
    BAL.3EBW  BAL...BW           -1.   B3E.VOBW            1.
    BAL.3EBW  XCV.3EBW            6.   XRV.3EBW            4.
    BAL.3EBW  X12.3EBW          50.3   HRL.3EBW      98.70277
    BAL.3EBW  HML.3EBW      94.63568   HRM.3EBW     102.02191
    BAL.3EBW  HMM.3EBW      98.08976   HRH.3EBW      103.0581
    BAL.3EBW  HMH.3EBW      99.18559
    BHC.3EBW  BHC...BW           -1.   B3E.VOBW            1.
    BHC.3EBW  XCV.3EBW           -2.   XRV.3EBW            .5
    BHC.3EBW  X12.3EBW         -15.6   HRL.3EBW      92.89535
    BHC.3EBW  HML.3EBW      79.40534   HRM.3EBW      94.57094
    BHC.3EBW  HMM.3EBW      81.47009   HRH.3EBW      95.02163
    BHC.3EBW  HMH.3EBW      82.04308
    BLC.3EBW  BLC...BW           -1.   B3E.VOBW            1.
    BLC.3EBW  XCV.3EBW            7.   XRV.3EBW           4.5
    BLC.3EBW  X12.3EBW          57.9   HRL.3EBW      95.38345
    BLC.3EBW  HML.3EBW      80.37873   HRM.3EBW      97.97965
    BLC.3EBW  HMM.3EBW      83.22026   HRH.3EBW      98.64634
    BLC.3EBW  HMH.3EBW       83.9937
    BLV.3EBW  BLV...BW           -1.   B3E.VOBW            1.
    BLV.3EBW  XCV.3EBW           14.   XRV.3EBW           7.2
    BLV.3EBW  X12.3EBW         102.3   HRL.3EBW       82.8797
    BLV.3EBW  HML.3EBW      80.36789   HRM.3EBW      87.33298
    BLV.3EBW  HMM.3EBW       84.5191   HRH.3EBW      88.46612
    BLV.3EBW  HMH.3EBW      85.61385
    BN4.3EBW  BN4...BW           -1.   B3E.VOBW            1.
    BN4.3EBW  XCV.3EBW           80.   XRV.3EBW           70.
    BN4.3EBW  X12.3EBW          113.   HRL.3EBW      97.32996
    BN4.3EBW  HML.3EBW      92.71594   HRM.3EBW        100.65
    BN4.3EBW  HMM.3EBW      96.86628   HRH.3EBW     101.66321
    BN4.3EBW  HMH.3EBW      98.06433
    BP8.3EBW  BP8...BW           -1.   B3E.VOBW            1.
    BP8.3EBW  XCV.3EBW            4.   XRV.3EBW           3.6
    BP8.3EBW  X12.3EBW          28.9   HRL.3EBW     101.17309
    BP8.3EBW  HML.3EBW      90.03844   HRM.3EBW     102.21363
    BP8.3EBW  HMM.3EBW      91.26611   HRH.3EBW     102.51818
    BP8.3EBW  HMH.3EBW      91.62642
    BTO.3EBW  BTO...BW           -1.   B3E.VOBW            1.
    BTO.3EBW  XCV.3EBW           -1.   XRV.3EBW           1.2
    BTO.3EBW  X12.3EBW            5.   HRL.3EBW     105.47666
    BTO.3EBW  HML.3EBW      89.10432   HRM.3EBW     106.21918
    BTO.3EBW  HMM.3EBW      90.14887   HRH.3EBW     106.46719
    BTO.3EBW  HMH.3EBW      90.49629
    BAL.3PBW  BAL...BW           -1.   B3P.VOBW            1.
    BAL.3PBW  XCV.3PBW            6.   XRV.3PBW            4.
    BAL.3PBW  X12.3PBW          50.3   WRO.3PBW      96.13556
    BAL.3PBW  WMO.3PBW      91.96313
    BHC.3PBW  BHC...BW           -1.   B3P.VOBW            1.
    BHC.3PBW  XCV.3PBW           -2.   XRV.3PBW            .5
    BHC.3PBW  X12.3PBW         -15.6   WRO.3PBW      90.99637
    BHC.3PBW  WMO.3PBW      78.09095
    BLC.3PBW  BLC...BW           -1.   B3P.VOBW            1.
    BLC.3PBW  XCV.3PBW            7.   XRV.3PBW           4.5
    BLC.3PBW  X12.3PBW          57.9   WRO.3PBW      93.95665
    BLC.3PBW  WMO.3PBW      80.74635
    BLV.3PBW  BLV...BW           -1.   B3P.VOBW            1.
    BLV.3PBW  XCV.3PBW           14.   XRV.3PBW           7.2
    BLV.3PBW  X12.3PBW         102.3   WRO.3PBW      79.78002
    BLV.3PBW  WMO.3PBW      77.37441
    BN4.3PBW  BN4...BW           -1.   B3P.VOBW            1.
    BN4.3PBW  XCV.3PBW           80.   XRV.3PBW           70.
    BN4.3PBW  X12.3PBW          113.   WRO.3PBW      94.11062
    BN4.3PBW  WMO.3PBW      88.35436
    BP8.3PBW  BP8...BW           -1.   B3P.VOBW            1.
    BP8.3PBW  XCV.3PBW            4.   XRV.3PBW           3.6
    BP8.3PBW  X12.3PBW          28.9   WRO.3PBW      99.83178
    BP8.3PBW  WMO.3PBW      88.58029
    BTO.3PBW  BTO...BW           -1.   B3P.VOBW            1.
    BTO.3PBW  XCV.3PBW           -1.   XRV.3PBW           1.2
    BTO.3PBW  X12.3PBW            5.   WRO.3PBW     105.07558
    BTO.3PBW  WMO.3PBW      88.18188
    BAL.3RBW  BAL...BW           -1.   B3R.VOBW            1.
    BAL.3RBW  XCV.3RBW            6.   XRV.3RBW            4.
    BAL.3RBW  X12.3RBW          50.3   HRL.3RBW      99.19039
    BAL.3RBW  HML.3RBW      95.17073   HRM.3RBW      101.0885
    BAL.3RBW  HMM.3RBW      97.11016   HRH.3RBW      103.0581
    BAL.3RBW  HMH.3RBW      99.18559
    BHC.3RBW  BHC...BW           -1.   B3R.VOBW            1.
    BHC.3RBW  XCV.3RBW           -2.   XRV.3RBW            .5
    BHC.3RBW  X12.3RBW         -15.6   HRL.3RBW      93.16124
    BHC.3RBW  HML.3RBW      79.72867   HRM.3RBW      94.14769
    BHC.3RBW  HMM.3RBW      80.94047   HRH.3RBW      95.02163
    BHC.3RBW  HMH.3RBW      82.04308
    BLC.3RBW  BLC...BW           -1.   B3R.VOBW            1.
    BLC.3RBW  XCV.3RBW            7.   XRV.3RBW           4.5
    BLC.3RBW  X12.3RBW          57.9   HRL.3RBW      95.80861
    BLC.3RBW  HML.3RBW      80.82888   HRM.3RBW      97.34183
    BLC.3RBW  HMM.3RBW      82.49926   HRH.3RBW      98.64634
    BLC.3RBW  HMH.3RBW       83.9937
    BLV.3RBW  BLV...BW           -1.   B3R.VOBW            1.
    BLV.3RBW  XCV.3RBW           14.   XRV.3RBW           7.2
    BLV.3RBW  X12.3RBW         102.3   HRL.3RBW      83.61375
    BLV.3RBW  HML.3RBW      81.03825   HRM.3RBW      86.24515
    BLV.3RBW  HMM.3RBW      83.48458   HRH.3RBW      88.46612
    BLV.3RBW  HMH.3RBW      85.61385
    BN4.3RBW  BN4...BW           -1.   B3R.VOBW            1.
    BN4.3RBW  XCV.3RBW           80.   XRV.3RBW           70.
    BN4.3RBW  X12.3RBW          113.   HRL.3RBW      97.86876
    BN4.3RBW  HML.3RBW      93.41749   HRM.3RBW      99.77765
    BN4.3RBW  HMM.3RBW      95.86635   HRH.3RBW     101.66321
    BN4.3RBW  HMH.3RBW      98.06433
    BP8.3RBW  BP8...BW           -1.   B3R.VOBW            1.
    BP8.3RBW  XCV.3RBW            4.   XRV.3RBW           3.6
    BP8.3RBW  X12.3RBW          28.9   HRL.3RBW     101.32905
    BP8.3RBW  HML.3RBW      90.22411   HRM.3RBW     101.93754
    BP8.3RBW  HMM.3RBW      90.94112   HRH.3RBW     102.51818
    BP8.3RBW  HMH.3RBW      91.62642
    BTO.3RBW  BTO...BW           -1.   B3R.VOBW            1.
    BTO.3RBW  XCV.3RBW           -1.   XRV.3RBW           1.2
    BTO.3RBW  X12.3RBW            5.   HRL.3RBW     105.58392
    BTO.3RBW  HML.3RBW      89.25587   HRM.3RBW      106.0019
    BTO.3RBW  HMM.3RBW      89.84584   HRH.3RBW     106.46719
    BTO.3RBW  HMH.3RBW      90.49629
    D3T...BW  B3T...BW           -1.   FAT7..J.         -16.5
    EAL...BW  BAL...BW            1.
    EHC...BW  BHC...BW            1.
    ELC...BW  BLC...BW            1.
    ELV...BW  BLV...BW            1.
    EN4...BW  BN4...BW            1.   FAT7..J.           12.
    EP8...BW  BP8...BW            1.
    ETO...BW  BTO...BW            1.   FAT7..J.           16.
    M3..3TBW  B3T...BW            1.   B3E...BW          -.29
    M3..3TBW  B3P...BW          -.17   B3R...BW          -.54
    QPB73EBW  FAT7..J.        .08757   XPB.3EBW            1.
    QPB73EBW  HRL.3EBW       2.52143   HML.3EBW       3.42918
    QPB73EBW  HRM.3EBW       1.54954   HMM.3EBW       1.55751
    QPB73EBW  HRH.3EBW       1.27141   HMH.3EBW       1.23842
    QPB73EBW  XPB.3ABW            1.
    QVO73EBW  B3E...BW            1.   B3E.VOBW           -1.
    QVO73EBW  XCV.3EBW          -16.   XRV.3EBW          -12.
    QVO73EBW  X12.3EBW          -61.   NOI.3EBW       -107.52
    QVO73EBW  XPB.3EBW          -1.7   HRL.3EBW      -1.00857
    QVO73EBW  HML.3EBW      -1.37167   HRM.3EBW       -2.0144
    QVO73EBW  HMM.3EBW      -2.02477   HRH.3EBW      -2.16139
    QVO73EBW  HMH.3EBW      -2.10531   XPB.3ABW          -1.5
    QVO73PBW  B3P...BW            1.   B3P.VOBW           -1.
    QVO73PBW  XCV.3PBW          -16.   XRV.3PBW          -12.
    QVO73PBW  X12.3PBW          -61.   NOI.3PBW        -97.41
    QVO73PBW  XPB.3ABW          -1.5
    QPB73RBW  FAT7..J.        .08757   XPB.3RBW            1.
    QPB73RBW  HRL.3RBW       4.31949   HML.3RBW       4.41873
    QPB73RBW  HRM.3RBW       2.62696   HMM.3RBW       2.74531
    QPB73RBW  HRH.3RBW       1.64391   HMH.3RBW       1.75028
    QPB73RBW  XPB.3ABW            1.
    QVO73RBW  B3R...BW            1.   B3R.VOBW           -1.
    QVO73RBW  XCV.3RBW          -16.   XRV.3RBW          -12.
    QVO73RBW  X12.3RBW          -61.   NOI.3RBW         -98.5
    QVO73RBW  XPB.3RBW          -1.7   HRL.3RBW      -2.15975
    QVO73RBW  HML.3RBW      -2.20937   HRM.3RBW      -2.62696
    QVO73RBW  HMM.3RBW      -2.74531   HRH.3RBW      -2.79464
    QVO73RBW  HMH.3RBW      -2.97548   XPB.3ABW          -1.5
    WMO73EBW  NOI.3EBW           .73   HML.3EBW           -1.
    WMO73EBW  HMM.3EBW           -1.   HMH.3EBW           -1.
    WRO73EBW  NOI.3EBW           .41   HRL.3EBW           -1.
    WRO73EBW  HRM.3EBW           -1.   HRH.3EBW           -1.
    WMO73PBW  WMO.3PBW           -1.   NOI.3PBW           .84
    WRO73PBW  WRO.3PBW           -1.   NOI.3PBW           .27
    WMO73RBW  NOI.3RBW           .81   HML.3RBW           -1.
    WMO73RBW  HMM.3RBW           -1.   HMH.3RBW           -1.
    WRO73RBW  NOI.3RBW           .31   HRL.3RBW           -1.
    WRO73RBW  HRM.3RBW           -1.   HRH.3RBW           -1.
RHS
BOUNDS
 UP 77BOUND   BHC.3EBW           10.
 UP 77BOUND   D3T...BW          200.
 UP 77BOUND   EAL...BW           10.
 UP 77BOUND   EHC...BW           20.
 UP 77BOUND   ELC...BW           25.
 UP 77BOUND   ELV...BW           12.
 UP 77BOUND   EN4...BW          100.
 UP 77BOUND   EP8...BW           35.
 UP 77BOUND   ETO...BW            5.
ENDATA
"""

    static let afiro = """
NAME          AFIRO
ROWS
 E  R09
 E  R10
 L  X05
 L  X21
 E  R12
 E  R13
 L  X17
 L  X18
 L  X19
 L  X20
 E  R19
 E  R20
 L  X27
 L  X44
 E  R22
 E  R23
 L  X40
 L  X41
 L  X42
 L  X43
 L  X45
 L  X46
 L  X47
 L  X48
 L  X49
 L  X50
 L  X51
 N  COST
COLUMNS
    X01       X48               .301   R09                -1.
    X01       R10              -1.06   X05                 1.
    X02       X21                -1.   R09                 1.
    X02       COST               -.4
    X03       X46                -1.   R09                 1.
    X04       X50                 1.   R10                 1.
    X06       X49               .301   R12                -1.
    X06       R13              -1.06   X17                 1.
    X07       X49               .313   R12                -1.
    X07       R13              -1.06   X18                 1.
    X08       X49               .313   R12                -1.
    X08       R13               -.96   X19                 1.
    X09       X49               .326   R12                -1.
    X09       R13               -.86   X20                 1.
    X10       X45              2.364   X17                -1.
    X11       X45              2.386   X18                -1.
    X12       X45              2.408   X19                -1.
    X13       X45              2.429   X20                -1.
    X14       X21                1.4   R12                 1.
    X14       COST              -.32
    X15       X47                -1.   R12                 1.
    X16       X51                 1.   R13                 1.
    X22       X46               .109   R19                -1.
    X22       R20               -.43   X27                 1.
    X23       X44                -1.   R19                 1.
    X23       COST               -.6
    X24       X48                -1.   R19                 1.
    X25       X45                -1.   R19                 1.
    X26       X50                 1.   R20                 1.
    X28       X47               .109   R22               -.43
    X28       R23                 1.   X40                 1.
    X29       X47               .108   R22               -.43
    X29       R23                 1.   X41                 1.
    X30       X47               .108   R22               -.39
    X30       R23                 1.   X42                 1.
    X31       X47               .107   R22               -.37
    X31       R23                 1.   X43                 1.
    X32       X45              2.191   X40                -1.
    X33       X45              2.219   X41                -1.
    X34       X45              2.249   X42                -1.
    X35       X45              2.279   X43                -1.
    X36       X44                1.4   R23                -1.
    X36       COST              -.48
    X37       X49                -1.   R23                 1.
    X38       X51                 1.   R22                 1.
    X39       R23                 1.   COST               10.
RHS
    B         X50               310.   X51               300.
    B         X05                80.   X17                80.
    B         X27               500.   R23                44.
    B         X40               500.
ENDATA
"""

    /// SC50A (50 rows, 48 columns; optimal value -6.4575077059E+01): a primal-degenerate
    /// optimal vertex whose optimum is unique (HiGHS finds no other optimal point,
    /// Benchmarks/lp/check_uniqueness.py), though zero reduced costs appear.
    static let sc50a = """
NAME          SC50A
ROWS
 N  MAXIM
 L  ROW00001
 L  ROW00002
 L  ROW00003
 E  ROW00004
 E  ROW00005
 E  ROW00006
 E  ROW00007
 L  ROW00008
 L  ROW00009
 L  ROW00010
 L  ROW00011
 L  ROW00012
 L  ROW00013
 E  ROW00014
 E  ROW00015
 E  ROW00016
 E  ROW00017
 E  ROW00018
 L  ROW00019
 L  ROW00020
 L  ROW00021
 L  ROW00022
 L  ROW00023
 L  ROW00024
 E  ROW00025
 E  ROW00026
 E  ROW00027
 E  ROW00028
 E  ROW00029
 L  ROW00030
 L  ROW00031
 L  ROW00032
 L  ROW00033
 L  ROW00034
 L  ROW00035
 E  ROW00036
 E  ROW00037
 E  ROW00038
 E  ROW00039
 E  ROW00040
 L  ROW00041
 L  ROW00042
 L  ROW00043
 L  ROW00044
 L  ROW00045
 L  ROW00046
 E  ROW00047
 L  ROW00048
 L  ROW00049
 L  ROW00050
COLUMNS
    COL00001  ROW00001            2.   ROW00002            1.
    COL00001  ROW00005           -1.
    COL00002  ROW00001            1.   ROW00002            2.
    COL00002  ROW00006           -1.
    COL00003  ROW00001           1.5   ROW00002           1.5
    COL00003  ROW00007           -1.
    COL00004  MAXIM              -1.   ROW00004            1.
    COL00004  ROW00014           1.1
    COL00005  ROW00004           -1.   ROW00013            1.
    COL00005  ROW00015            1.
    COL00006  ROW00005            1.   ROW00008           -1.
    COL00006  ROW00016           -1.
    COL00007  ROW00006            1.   ROW00009           -1.
    COL00007  ROW00017           -1.
    COL00008  ROW00007            1.   ROW00010           -1.
    COL00008  ROW00018           -1.
    COL00009  ROW00008            1.   ROW00011           -1.
    COL00010  ROW00009            1.   ROW00012           -1.
    COL00011  ROW00010            1.   ROW00013           -1.
    COL00012  ROW00011            2.   ROW00012            1.
    COL00012  ROW00016           -1.
    COL00013  ROW00011            1.   ROW00012            2.
    COL00013  ROW00017           -1.
    COL00014  ROW00011           1.5   ROW00012           1.5
    COL00014  ROW00018           -1.
    COL00015  ROW00014           -1.   ROW00015            1.
    COL00015  ROW00025           1.1
    COL00016  ROW00015           -1.   ROW00024            1.
    COL00016  ROW00026            1.
    COL00017  ROW00016            1.   ROW00019           -1.
    COL00017  ROW00027           -1.
    COL00018  ROW00017            1.   ROW00020           -1.
    COL00018  ROW00028           -1.
    COL00019  ROW00018            1.   ROW00021           -1.
    COL00019  ROW00029           -1.
    COL00020  ROW00019            1.   ROW00022           -1.
    COL00021  ROW00020            1.   ROW00023           -1.
    COL00022  ROW00021            1.   ROW00024           -1.
    COL00023  ROW00022            2.   ROW00023            1.
    COL00023  ROW00027           -1.
    COL00024  ROW00022            1.   ROW00023            2.
    COL00024  ROW00028           -1.
    COL00025  ROW00022           1.5   ROW00023           1.5
    COL00025  ROW00029           -1.
    COL00026  ROW00025           -1.   ROW00026            1.
    COL00026  ROW00036           1.1
    COL00027  ROW00026           -1.   ROW00035            1.
    COL00027  ROW00037            1.
    COL00028  ROW00027            1.   ROW00030           -1.
    COL00028  ROW00038           -1.
    COL00029  ROW00028            1.   ROW00031           -1.
    COL00029  ROW00039           -1.
    COL00030  ROW00029            1.   ROW00032           -1.
    COL00030  ROW00040           -1.
    COL00031  ROW00030            1.   ROW00033           -1.
    COL00032  ROW00031            1.   ROW00034           -1.
    COL00033  ROW00032            1.   ROW00035           -1.
    COL00034  ROW00033            2.   ROW00034            1.
    COL00034  ROW00038           -1.
    COL00035  ROW00033            1.   ROW00034            2.
    COL00035  ROW00039           -1.
    COL00036  ROW00033           1.5   ROW00034           1.5
    COL00036  ROW00040           -1.
    COL00037  ROW00036           -1.   ROW00037            1.
    COL00037  ROW00047           1.1
    COL00038  ROW00037           -1.   ROW00046            1.
    COL00039  ROW00038            1.   ROW00041           -1.
    COL00040  ROW00039            1.   ROW00042           -1.
    COL00041  ROW00040            1.   ROW00043           -1.
    COL00042  ROW00041            1.   ROW00044           -1.
    COL00043  ROW00042            1.   ROW00045           -1.
    COL00044  ROW00043            1.   ROW00046           -1.
    COL00045  ROW00044            2.   ROW00045            1.
    COL00045  ROW00048           -.8   ROW00049            .1
    COL00046  ROW00044            1.   ROW00045            2.
    COL00046  ROW00048            .1   ROW00049           -.8
    COL00047  ROW00044           1.5   ROW00045           1.5
    COL00047  ROW00048           .15   ROW00049           .15
    COL00047  ROW00050           -1.
    COL00048  ROW00047           -1.   ROW00050            1.
RHS
    CONST     ROW00001          170.   ROW00002          130.
    CONST     ROW00011          170.   ROW00012          130.
    CONST     ROW00022          170.   ROW00023          130.
    CONST     ROW00033          170.   ROW00034          130.
    CONST     ROW00044          170.   ROW00045          130.
ENDATA
"""
}
