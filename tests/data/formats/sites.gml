<?xml version="1.0" encoding="utf-8" ?>
<ogr:FeatureCollection
     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
     xsi:schemaLocation="http://ogr.maptools.org/ sites.xsd"
     xmlns:ogr="http://ogr.maptools.org/"
     xmlns:gml="http://www.opengis.net/gml">
  <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>25.12163 62.32541</gml:lowerCorner><gml:upperCorner>34.0988 71.14108</gml:upperCorner></gml:Envelope></gml:boundedBy>
                                                                                                                                                   
  <ogr:featureMember>
    <ogr:sites gml:id="sites.0">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>30.18414 67.00141</gml:lowerCorner><gml:upperCorner>30.18414 67.00141</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>30.18414 67.00141</gml:pos></gml:Point></ogr:geometryProperty>
      <ogr:name>Quetta</ogr:name>
      <ogr:type>city</ogr:type>
      <ogr:notes>provincial capital</ogr:notes>
    </ogr:sites>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:sites gml:id="sites.1">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>30.91769 66.45259</gml:lowerCorner><gml:upperCorner>30.91769 66.45259</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>30.91769 66.45259</gml:pos></gml:Point></ogr:geometryProperty>
      <ogr:name>Chaman</ogr:name>
      <ogr:type>crossing</ogr:type>
      <ogr:notes>border town</ogr:notes>
    </ogr:sites>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:sites gml:id="sites.2">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>25.12163 62.32541</gml:lowerCorner><gml:upperCorner>25.12163 62.32541</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>25.12163 62.32541</gml:pos></gml:Point></ogr:geometryProperty>
      <ogr:name>Gwadar</ogr:name>
      <ogr:type>port</ogr:type>
      <ogr:notes>port town</ogr:notes>
    </ogr:sites>
  </ogr:featureMember>
  <ogr:featureMember>
    <ogr:sites gml:id="sites.3">
      <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>34.0988 71.14108</gml:lowerCorner><gml:upperCorner>34.0988 71.14108</gml:upperCorner></gml:Envelope></gml:boundedBy>
      <ogr:geometryProperty><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>34.0988 71.14108</gml:pos></gml:Point></ogr:geometryProperty>
      <ogr:name>&lt;img src=x onerror=alert(1)&gt;</ogr:name>
      <ogr:type>city</ogr:type>
      <ogr:notes>&lt;img src=x onerror=alert(1)&gt;</ogr:notes>
    </ogr:sites>
  </ogr:featureMember>
</ogr:FeatureCollection>
